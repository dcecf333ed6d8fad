from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "tridex.orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from tridex.orders import receivers  # noqa: F401  (subscribes to domain events)
