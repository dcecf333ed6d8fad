"""Ends signed-in sessions that have outlived their idle or absolute lifetime, with a message
that says why, and keeps each session's last-seen time and address (at most once a minute)."""

from __future__ import annotations

from collections.abc import Callable

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
                if (touched or session.get(TRACKED) != session.session_key) and (
                    services.session_track(request=request)
                ):
                    session[TRACKED] = session.session_key
        return self.get_response(request)
