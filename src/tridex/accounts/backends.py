"""Refuse every sign-in to a locked address, the right password included.

Listed first in ``AUTHENTICATION_BACKENDS``: raising ``PermissionDenied`` stops Django from
asking the backends after it, so the storefront, allauth's headless API and the admin's own
login form are all refused the same way. The storefront's form shows why (``adapter``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from tridex.accounts.selectors import login_locked_until


def login_email(credentials: dict[str, Any]) -> str:
    """The address a sign-in attempt names: allauth passes ``email`` (or ``login``), Django's
    forms ``username`` (the email is the username field)."""
    return str(
        credentials.get("email") or credentials.get("username") or credentials.get("login") or ""
    )


class LockoutBackend(ModelBackend):
    """Only refuses; never signs anyone in itself. It inherits ``ModelBackend``'s user lookup
    because Django remembers a session's backend and ``force_login`` picks the first one."""

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, **credentials: Any
    ) -> None:
        if login_locked_until(email=login_email(credentials)) is not None:
            raise PermissionDenied("sign-ins to this address are locked")
        return None
