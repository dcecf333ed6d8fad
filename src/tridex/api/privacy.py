"""The signed-in customer's consents over the API (the mobile app's settings screen).

Each change is recorded like one made on the account page, with ``source="api"`` and the
privacy notice version in force, so the history shows where every choice came from.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from tridex.api.commerce import ERRORS, Unauthorized, shopper
from tridex.privacy.models import ConsentSource, Purpose
from tridex.privacy.selectors import consent_latest
from tridex.privacy.services import consents_update

router = Router(tags=["privacy"])


class ConsentOut(Schema):
    purpose: str = Field(..., examples=["marketing_email"])
    granted: bool
    notice_version: str | None = Field(None, description="The notice the answer was given under.")
    at: datetime | None = None


class ConsentsOut(Schema):
    notice_version: str = Field(..., description="The privacy notice in force now.")
    consents: list[ConsentOut]


class ConsentsIn(Schema):
    marketing_email: bool | None = None
    push_notifications: bool | None = None
    analytics_cookies: bool | None = None


def _signed_in(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise Unauthorized(_("Sign in to manage your privacy choices."))
    return user


def _consents_out(user: Any) -> ConsentsOut:
    latest = consent_latest(user=user)
    return ConsentsOut(
        notice_version=settings.TRIDEX_PRIVACY_NOTICE_VERSION,
        consents=[
            ConsentOut(
                purpose=purpose,
                granted=bool(record and record.granted),
                notice_version=record.notice_version if record else None,
                at=record.at if record else None,
            )
            for purpose in Purpose.values
            for record in [latest.get(purpose)]
        ],
    )


@router.get(
    "/me/consents",
    response={200: ConsentsOut, **ERRORS},
    auth=shopper,
    operation_id="consents_get",
    summary="The signed-in customer's consents (marketing email, push, analytics)",
)
def consents_get(request: HttpRequest) -> ConsentsOut:
    return _consents_out(_signed_in(request))


@router.put(
    "/me/consents",
    response={200: ConsentsOut, **ERRORS},
    auth=shopper,
    operation_id="consents_update",
    summary="Grant or withdraw consents; purposes left out keep their answer",
)
def consents_put(request: HttpRequest, payload: ConsentsIn) -> ConsentsOut:
    user = _signed_in(request)
    choices = {k: v for k, v in payload.dict().items() if v is not None}
    consents_update(user=user, choices=choices, source=ConsentSource.API)
    return _consents_out(user)
