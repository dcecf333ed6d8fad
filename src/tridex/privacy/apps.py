from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "tridex.privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from tridex.privacy import receivers  # noqa: F401  (sign-in notice, sign-up consent)
        from tridex.privacy.foundation import register_foundation

        register_foundation()
        # Each domain above privacy describes its personal data in its own privacy.py.
        autodiscover_modules("privacy")
