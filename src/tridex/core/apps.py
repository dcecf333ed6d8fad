from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tridex.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.core import checks

        from tridex.core.ratelimit import check_rate_limits

        checks.register(check_rate_limits)
