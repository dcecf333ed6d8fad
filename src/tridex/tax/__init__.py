"""Tax: rates per market and destination, and the tax breakdown of an order."""
