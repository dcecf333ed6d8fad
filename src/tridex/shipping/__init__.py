"""Shipping: methods per market (flat, by weight, free above a threshold) and carrier rates."""
