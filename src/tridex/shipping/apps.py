from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShippingConfig(AppConfig):
    name = "tridex.shipping"
    verbose_name = _("Shipping")

    def ready(self) -> None:
        from tridex.shipping.carriers import carrier_register_builtin

        carrier_register_builtin()
