from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PricingConfig(AppConfig):
    name = "tridex.pricing"
    verbose_name = _("Pricing")

    def ready(self) -> None:
        from tridex.pricing import receivers  # noqa: F401  (subscribes to domain events)
