"""allauth adapter: emails go out in the recipient's language, links included.

A customer who chose Thai reads Thai mail and lands on /th/ pages from its links, whichever
language the page that triggered the mail was in.
"""

from __future__ import annotations

import math
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.usersessions.adapter import DefaultUserSessionsAdapter
from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tridex.accounts.backends import login_email
from tridex.accounts.selectors import login_locked_until
from tridex.core.http import client_ip


def user_language(user: Any) -> str:
    """The user's chosen language if it is one the shop offers, else the active language."""
    language = getattr(user, "preferred_language", "") or ""
    if language in {code for code, _name in settings.LANGUAGES}:
        return language
    return translation.get_language() or settings.LANGUAGE_CODE


class AccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Say why a locked address cannot sign in. The words are the same whether or not the
        address has an account: any address locks after the same number of failures."""
        until = login_locked_until(email=login_email(credentials))
        if until is not None:
            minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
            raise forms.ValidationError(
                _(
                    "Too many failed sign-ins to this address. Signing in is locked for "
                    "%(minutes)d more minutes. Reset your password, or ask our support to "
                    "unlock it."
                )
                % {"minutes": minutes},
                code="login_locked",
            )
        # allauth's own pre_authenticate is not called: it spends the "login_failed" rate limit
        # on passwords, which the lockout and the sign-in rate limit count instead; that limit
        # stays for second-factor codes (settings, "Abuse protection").

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
        """The client's address by Tridex's one rule (``core.http.client_ip``), so that
        allauth's records agree with the audit log and the rate limits."""
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

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
