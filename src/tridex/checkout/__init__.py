"""Checkout: turns a cart, an address and a payment choice into a reserved, payable order."""
