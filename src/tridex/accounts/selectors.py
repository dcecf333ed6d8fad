"""Reads of profiles and address books, always scoped to the user who asks."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tridex.accounts.models import Address, User
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


# --- Staff roles -----------------------------------------------------------------------------


def grant_exceeds(*, granter: User, group: Any) -> bool:
    """Whether giving ``group`` (a role) would give more than ``granter`` may do themselves:
    a role or permission can be given only by someone who holds all it allows."""
    if granter.is_superuser:
        return False
    perms = group.permissions.select_related("content_type")
    wanted = {f"{p.content_type.app_label}.{p.codename}" for p in perms}
    return not wanted <= granter.get_all_permissions()
