from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "tridex.search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from tridex.search import receivers  # noqa: F401  (subscribes to domain events)
