"""The consent cookie: a strictly necessary cookie that remembers the cookie banner's answer.

It holds the choice ("all" or "necessary"), the privacy notice version it was given under (a
new notice asks again) and a random visitor id that ties a signed-out visitor's consent records
together. It is signed, so a visitor cannot claim a choice the shop never recorded.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse

SALT = "tridex.privacy.consent-cookie"
MAX_AGE = 365 * 24 * 60 * 60  # the banner asks again after a year


@dataclass(frozen=True)
class CookieConsent:
    choice: str  # "all", "necessary", or "" while the visitor has not answered
    visitor_id: str

    @property
    def analytics_allowed(self) -> bool:
        return self.choice == "all"

    @property
    def answered(self) -> bool:
        return bool(self.choice)


def consent_from_cookie(request: HttpRequest) -> CookieConsent:
    """The visitor's answer under the current notice, or an unanswered one."""
    raw = request.get_signed_cookie(settings.TRIDEX_PRIVACY_CONSENT_COOKIE, "", salt=SALT)
    choice, _sep, rest = str(raw).partition(":")
    version, _sep, visitor_id = rest.rpartition(":")
    if choice not in ("all", "necessary") or version != settings.TRIDEX_PRIVACY_NOTICE_VERSION:
        return CookieConsent(choice="", visitor_id=visitor_id or secrets.token_hex(16))
    return CookieConsent(choice=choice, visitor_id=visitor_id)


def consent_cookie_set(response: HttpResponse, *, choice: str, visitor_id: str) -> None:
    response.set_signed_cookie(
        settings.TRIDEX_PRIVACY_CONSENT_COOKIE,
        f"{choice}:{settings.TRIDEX_PRIVACY_NOTICE_VERSION}:{visitor_id}",
        salt=SALT,
        max_age=MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
