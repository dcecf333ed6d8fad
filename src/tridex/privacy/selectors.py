"""Reads of the privacy domain, each for one person and free of N+1."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tridex.core.errors import NotFound
from tridex.privacy.models import ConsentRecord, PrivacyRequest, Purpose


def consent_latest(*, user: Any) -> dict[str, ConsentRecord]:
    """The newest record of each purpose the person ever answered."""
    latest: dict[str, ConsentRecord] = {}
    for record in ConsentRecord.objects.filter(user=user).order_by("-at", "-id"):
        latest.setdefault(record.purpose, record)
    return latest


def consent_state(*, user: Any) -> dict[str, bool]:
    """Whether each purpose is allowed now (never answered counts as not allowed)."""
    latest = consent_latest(user=user)
    return {
        purpose: bool(latest.get(purpose) and latest[purpose].granted) for purpose in Purpose.values
    }


def consent_history(*, user: Any, limit: int = 50) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.filter(user=user).order_by("-at", "-id")[:limit]


def privacy_request_list(*, user: Any) -> QuerySet[PrivacyRequest]:
    return PrivacyRequest.objects.filter(user=user).order_by("-created_at", "-id")


def privacy_request_get(*, user: Any, request_id: int) -> PrivacyRequest:
    """One of the person's own requests; anyone else's is not found."""
    request = PrivacyRequest.objects.filter(user=user, pk=request_id).first()
    if request is None:
        raise NotFound(code="privacy_request_not_found")
    return request


def erasure_pending(*, user: Any) -> PrivacyRequest | None:
    return PrivacyRequest.objects.filter(
        user=user, kind=PrivacyRequest.Kind.ERASURE, status=PrivacyRequest.Status.PENDING
    ).first()


def export_pending(*, user: Any) -> PrivacyRequest | None:
    return PrivacyRequest.objects.filter(
        user=user, kind=PrivacyRequest.Kind.EXPORT, status=PrivacyRequest.Status.PENDING
    ).first()
