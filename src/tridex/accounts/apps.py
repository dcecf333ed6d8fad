from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tridex.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from tridex.accounts import receivers  # noqa: F401  (sign-in history, lockouts, factor mails)

        post_migrate.connect(_sync_roles, dispatch_uid="tridex.accounts.roles")


def _sync_roles(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """After the last app's permissions exist: create the staff roles that are missing."""
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender is not with_models[-1]:
        return
    from tridex.accounts.services import roles_sync

    roles_sync()
