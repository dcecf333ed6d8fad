from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CartConfig(AppConfig):
    name = "tridex.cart"
    verbose_name = _("Cart")

    def ready(self) -> None:
        from tridex.cart import receivers  # noqa: F401  (merges guest carts at login)
