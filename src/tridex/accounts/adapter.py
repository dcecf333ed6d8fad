"""allauth adapter: emails go out in the recipient's language, links included.

A customer who chose Thai reads Thai mail and lands on /th/ pages from its links, whichever
language the page that triggered the mail was in.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.usersessions.adapter import DefaultUserSessionsAdapter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import translation


def user_language(user: Any) -> str:
    """The user's chosen language if it is one the shop offers, else the active language."""
    language = getattr(user, "preferred_language", "") or ""
    if language in {code for code, _name in settings.LANGUAGES}:
        return language
    return translation.get_language() or settings.LANGUAGE_CODE


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        with translation.override(user_language(context.get("user"))):
            super().send_mail(template_prefix, email, context)

    def send_confirmation_mail(self, request, emailconfirmation, signup: bool) -> None:  # type: ignore[no-untyped-def]
        # The activation link is reversed inside, so it must be built in the user's language.
        with translation.override(user_language(emailconfirmation.email_address.user)):
            super().send_confirmation_mail(request, emailconfirmation, signup)

    def send_password_reset_mail(self, user: Any, email: str, context: dict[str, Any]) -> None:
        with translation.override(user_language(user)):
            key = f"{context['uid']}-{context['key']}"
            context = {**context, "password_reset_url": self.get_reset_password_from_key_url(key)}
            super().send_password_reset_mail(user, email, context)

    def send_notification_mail(  # type: ignore[override]
        self,
        template_prefix: str,
        user: Any,
        context: dict[str, Any] | None = None,
        email: str | None = None,
    ) -> None:
        with translation.override(user_language(user)):
            super().send_notification_mail(
                template_prefix, user, {"user": user, **(context or {})}, email
            )

    def get_client_ip(self, request: HttpRequest) -> str:
        """REMOTE_ADDR, or the address seen by the TRIDEX_TRUSTED_PROXY_HOPS proxies in front
        (counted from the right of X-Forwarded-For), the same rule as the audit log's."""
        hops = int(getattr(settings, "TRIDEX_TRUSTED_PROXY_HOPS", 0))
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        candidates = [forwarded[-hops]] if hops and len(forwarded) >= hops else []
        for candidate in [*candidates, request.META.get("REMOTE_ADDR", "")]:
            try:  # it is stored in IP address columns: never anything else
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                continue
        raise PermissionDenied("Unable to determine client IP address")

    def save_user(self, request, user, form, commit=True):  # type: ignore[no-untyped-def]
        """Remember the language the customer signed up in as their preferred one."""
        user = super().save_user(request, user, form, commit=False)
        if not user.preferred_language:
            user.preferred_language = user_language(None)
        if commit:
            user.save()
        return user


class UserSessionsAdapter(DefaultUserSessionsAdapter):
    """Sessions ended from allauth's pages and headless API go through Tridex's service, which
    announces it (staff actions reach the audit log)."""

    def end_sessions(self, sessions: Any) -> None:
        from tridex.accounts.services import user_sessions_end

        request = getattr(allauth_context, "request", None)
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        user_sessions_end(actor=actor, sessions=sessions)
