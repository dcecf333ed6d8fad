from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from tridex.accounts.roles import StaffApiAction


class ApiConfig(AppConfig):
    name = "tridex.api"
    verbose_name = _("Api")

    def ready(self) -> None:
        from tridex.accounts.roles import staff_api_register

        staff_api_register(_staff_api_actions)


def _staff_api_actions() -> Iterable[StaffApiAction]:
    """The staff operations of the API, read when the permission matrix is built."""
    from tridex.api.api import api
    from tridex.api.staff_access import staff_api_actions

    return staff_api_actions(api)
