"""Personal data of carts and wishlists, for the privacy registry: deleted on erasure (no law
asks to keep what someone once put in a cart)."""

from tridex.privacy.registry import Erasure, registry

registry.register("cart.Cart", owner="user", fields=("user",), erasure=Erasure.DELETE)
registry.register("cart.CartLine", owner="cart__user", fields=(), erasure=Erasure.DELETE)
registry.register(
    "cart.Wishlist",
    owner="user",
    fields=("user",),
    erasure=Erasure.DELETE,
    not_exported=("share_token",),
)
registry.register("cart.WishlistItem", owner="wishlist__user", fields=(), erasure=Erasure.DELETE)
