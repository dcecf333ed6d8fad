"""How long a signed-in session may live: idle and absolute limits kept in the session itself.

The session (in the database, or Redis in front of it) carries when its user signed in and
when it was last used, so every worker judges it the same way. Last use is written at most
once a minute: a request does not cost a session write.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from django.conf import settings
from django.utils import timezone

SIGNED_IN_AT = "_tridex_signed_in_at"
SEEN_AT = "_tridex_seen_at"
STAFF = "_tridex_staff"
TRACKED = "_tridex_tracked"  # the session key whose entry in the sessions list is up to date
TOUCH_EVERY = timedelta(seconds=60)

Expiry = Literal["idle", "absolute"]


def session_start(session: Any, *, is_staff: bool, now: datetime | None = None) -> None:
    """Mark a session as signed in now (called on every sign-in)."""
    stamp = (now or timezone.now()).timestamp()
    session[SIGNED_IN_AT] = stamp
    session[SEEN_AT] = stamp
    session[STAFF] = bool(is_staff)


def session_expiry(session: Any, *, now: datetime | None = None) -> Expiry | None:
    """Which limit a signed-in session has passed, or None while it may go on.

    A session signed in before these limits existed carries no marks; it is judged from now on.
    """
    if SIGNED_IN_AT not in session:
        return None
    now_stamp = (now or timezone.now()).timestamp()
    idle, lifetime = session_limits(is_staff=bool(session.get(STAFF)))
    if now_stamp - float(session[SIGNED_IN_AT]) > lifetime.total_seconds():
        return "absolute"
    if now_stamp - float(session.get(SEEN_AT, session[SIGNED_IN_AT])) > idle.total_seconds():
        return "idle"
    return None


def session_touch(session: Any, *, is_staff: bool, now: datetime | None = None) -> bool:
    """Record a use of the session; True if it was written (at most once a minute)."""
    now = now or timezone.now()
    if SIGNED_IN_AT not in session:
        session_start(session, is_staff=is_staff, now=now)
        return True
    if now.timestamp() - float(session.get(SEEN_AT, 0)) < TOUCH_EVERY.total_seconds():
        return False
    session[SEEN_AT] = now.timestamp()
    return True


def session_limits(*, is_staff: bool) -> tuple[timedelta, timedelta]:
    """(idle, absolute) lifetime of a staff or customer session."""
    if is_staff:
        return (
            timedelta(minutes=settings.TRIDEX_STAFF_SESSION_IDLE_MINUTES),
            timedelta(hours=settings.TRIDEX_STAFF_SESSION_MAX_HOURS),
        )
    return (
        timedelta(minutes=settings.TRIDEX_SESSION_IDLE_MINUTES),
        timedelta(hours=settings.TRIDEX_SESSION_MAX_HOURS),
    )
