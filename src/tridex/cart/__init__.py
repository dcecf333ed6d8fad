"""Carts and wishlists of guests and customers."""
