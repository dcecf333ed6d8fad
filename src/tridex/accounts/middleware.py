"""Middleware of accounts: session lifetimes, and rate limits on sign-in, sign-up and reset.

``SessionLifetimeMiddleware`` ends signed-in sessions that have outlived their idle or absolute
lifetime, with a message that says why, and keeps each session's last-seen time and address
(at most once a minute).

``AuthRateLimitMiddleware``: allauth serves the sign-in, sign-up and password-reset forms to
browsers (``/account/…``) and to apps (``/_allauth/app/v1/…``), and Django's admin has its own
sign-in form. One middleware limits them all with Tridex's limiter (``core.ratelimit``) before
the view runs, per client IP and per address aimed at, and answers 429 with Retry-After;
allauth's own limits for these actions are switched off in settings so that one mechanism
decides.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from tridex.accounts import services
from tridex.accounts.sessions import (
    SIGNED_IN_AT,
    STAFF,
    TRACKED,
    session_expiry,
    session_touch,
)
from tridex.core.ratelimit import RateLimited, limit, rate_limited_response

EXPIRY_MESSAGES = {
    "idle": lambda: _(
        "You were signed out because you had not used the shop for a while. Please sign in again."
    ),
    "absolute": lambda: _(
        "You were signed out because your session reached its maximum length. Please sign in again."
    ),
}


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session and request.user.is_authenticated:
            if SIGNED_IN_AT in session and bool(session.get(STAFF)) != request.user.is_staff:
                session[STAFF] = request.user.is_staff  # made (or no longer) staff meanwhile
            expired = session_expiry(session)
            if expired:
                session_key = session.session_key
                logout(request)  # a new, empty session; the old one is deleted from the store
                if session_key:
                    services.session_discard(session_key=session_key)
                messages.info(request, EXPIRY_MESSAGES[expired]())
            else:
                touched = session_touch(session, is_staff=request.user.is_staff)
                if touched or session.get(TRACKED) != session.session_key:
                    services.session_track(request=request)
        return self.get_response(request)


# view name → (rate limit action, form field naming the address aimed at)
LIMITED_VIEWS = {
    "account_login": ("login", "login"),
    "account_signup": ("signup", "email"),
    "account_reset_password": ("password_reset", "email"),
    "headless:app:account:login": ("login", "email"),
    "headless:app:account:signup": ("signup", "email"),
    "headless:app:account:request_password_reset": ("password_reset", "email"),
    "headless:browser:account:login": ("login", "email"),
    "headless:browser:account:signup": ("signup", "email"),
    "headless:browser:account:request_password_reset": ("password_reset", "email"),
    "admin:login": ("login", "username"),
}


class AuthRateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        limited = LIMITED_VIEWS.get(match.view_name) if match and request.method == "POST" else None
        if limited is None:
            return None
        action, field = limited
        try:
            limit(action, request=request, account=_posted(request, field))
        except RateLimited as exc:
            return rate_limited_response(request, exc)
        return None


def _posted(request: HttpRequest, field: str) -> str:
    """A form field, or a key of the JSON body allauth's headless API takes."""
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return ""
        return str(body.get(field) or "") if isinstance(body, dict) else ""
    return str(request.POST.get(field) or "")
