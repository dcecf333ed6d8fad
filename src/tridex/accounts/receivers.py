"""Every sign-in and failed sign-in goes into the person's history; a sign-in starts the
session's lifetime clock. Django's signals cover allauth's pages, its headless API and the
admin's login page alike."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from tridex.accounts import selectors, services
from tridex.accounts.sessions import TRACKED, session_start


@receiver(user_logged_in, dispatch_uid="tridex.accounts.login_history")
def _signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None:
        return
    if hasattr(request, "session"):
        session_start(request.session, is_staff=user.is_staff)
    services.login_record(
        user=user,
        succeeded=True,
        ip=services.client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    if hasattr(request, "session") and services.session_track(request=request):
        request.session[TRACKED] = request.session.session_key


@receiver(user_login_failed, dispatch_uid="tridex.accounts.login_failed_history")
def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    address = str(
        credentials.get("email") or credentials.get("username") or credentials.get("login") or ""
    )
    user = selectors.user_by_email(email=address)
    if user is None:
        return
    services.login_record(
        user=user,
        succeeded=False,
        ip=services.client_ip(request) if request is not None else None,
        user_agent=request.META.get("HTTP_USER_AGENT", "") if request is not None else "",
    )
