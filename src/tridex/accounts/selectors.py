"""Reads of profiles and address books, always scoped to the user who asks; sign-in locks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tridex.accounts.devices import Device, device_describe, device_label, place_label
from tridex.accounts.models import Address, LoginEvent, LoginLockout, User
from tridex.core.errors import NotFound


def address_list(*, user: User) -> QuerySet[Address]:
    """The user's addresses, defaults first, newest next."""
    return Address.objects.filter(user=user).order_by(
        "-is_default_shipping", "-is_default_billing", "-created_at", "-pk"
    )


def address_get(*, user: User, address_id: int) -> Address:
    """One of the user's addresses. Another user's address is reported as not found, so ids
    reveal nothing about other customers."""
    try:
        return Address.objects.get(user=user, pk=address_id)
    except Address.DoesNotExist:
        raise NotFound(_("Address not found."), code="address_not_found") from None


def address_default(*, user: User, kind: str) -> Address | None:
    """The user's default shipping or billing address, if they have one."""
    if kind not in ("shipping", "billing"):
        return None
    return Address.objects.filter(user=user, **{f"is_default_{kind}": True}).first()


# --- Sessions and sign-in history ------------------------------------------------------------


@dataclass(frozen=True)
class SessionRow:
    id: int
    device: Device
    ip: str
    signed_in_at: datetime
    last_seen_at: datetime
    is_current: bool

    @property
    def device_label(self) -> str:
        return device_label(self.device.browser, self.device.os)

    @property
    def place(self) -> str:
        return place_label(self.device.country)


def session_list(*, user: User, current_session_key: str | None) -> list[SessionRow]:
    """The user's sessions that are still alive, this one first, then by last use.

    allauth's ``purge_and_list`` drops entries whose session has already ended or expired.
    """
    rows = [
        SessionRow(
            id=session.pk,
            device=device_describe(user_agent=session.user_agent, ip=session.ip),
            ip=session.ip,
            signed_in_at=session.created_at,
            last_seen_at=session.last_seen_at,
            is_current=session.session_key == current_session_key,
        )
        for session in UserSession.objects.purge_and_list(user)
    ]
    return sorted(rows, key=lambda row: (not row.is_current, -row.last_seen_at.timestamp()))


def login_history(*, user: User, limit: int = 50) -> list[LoginEvent]:
    """The user's latest sign-ins and failed sign-ins, newest first."""
    return list(LoginEvent.objects.filter(user=user).order_by("-at", "-id")[:limit])


def user_by_email(*, email: str) -> User | None:
    """The user one of whose addresses (any, verified or not) is ``email``."""
    email = (email or "").strip()
    if not email:
        return None
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user
    address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
    return address.user if address is not None else None  # type: ignore[return-value]


def login_locked_until(*, email: str) -> datetime | None:
    """When the lock on sign-ins to ``email`` ends, or None if it is not locked."""
    address = normalize_login_email(email)
    if not address:
        return None
    until = (
        LoginLockout.objects.filter(email=address, locked_until__gt=timezone.now())
        .values_list("locked_until", flat=True)
        .first()
    )
    return until


def normalize_login_email(email: object) -> str:
    """The address as lockouts are keyed: trimmed, lower case (emails are stored lower case)."""
    return str(email or "").strip().lower()[:254]


# --- Staff roles -----------------------------------------------------------------------------


def grant_exceeds(*, granter: User, group: Any) -> bool:
    """Whether giving ``group`` (a role) would give more than ``granter`` may do themselves:
    a role or permission can be given only by someone who holds all it allows."""
    if granter.is_superuser:
        return False
    perms = group.permissions.select_related("content_type")
    wanted = {f"{p.content_type.app_label}.{p.codename}" for p in perms}
    return not wanted <= granter.get_all_permissions()
