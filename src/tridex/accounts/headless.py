"""Session tokens of the mobile app (allauth headless, /api/v1) obey the same idle and
absolute lifetimes as browser sessions."""

from __future__ import annotations

from allauth.core.internal.sessionkit import get_session_user
from allauth.headless.tokens.strategies.sessions import SessionTokenStrategy
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase

from tridex.accounts import services
from tridex.accounts.sessions import SIGNED_IN_AT, STAFF, session_expiry, session_touch


class LifetimeSessionTokenStrategy(SessionTokenStrategy):
    def lookup_session(self, session_token: str) -> SessionBase | None:
        """The token's session, or None once it has ended or outlived its lifetime."""
        session = super().lookup_session(session_token)
        if session is None or SESSION_KEY not in session:
            return session
        if session_expiry(session) is not None:
            services.session_discard(session_key=session_token)
            return None
        if SIGNED_IN_AT in session:
            is_staff = bool(session.get(STAFF))
        else:
            user = get_session_user(session)
            is_staff = bool(user is not None and user.is_staff)
        if session_touch(session, is_staff=is_staff):
            session.save()
            services.session_mark_seen(session_key=session_token)
        return session
