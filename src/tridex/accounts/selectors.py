"""Reads of profiles and address books, always scoped to the user who asks; sign-in locks."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tridex.accounts.models import Address, LoginLockout, User
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
