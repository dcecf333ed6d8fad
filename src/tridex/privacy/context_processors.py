"""What every page needs to know about consent: whether to show the cookie banner and whether
the analytics hook may load (``analytics_allowed``, off until the person said yes).

Both come from the consent cookie alone, so no page pays a query for them; the account page
sets the same cookie when a signed-in person changes their analytics choice there.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tridex.privacy.cookies import CookieConsent, consent_from_cookie


def consent(request: HttpRequest) -> dict[str, Any]:
    cookie: CookieConsent = getattr(request, "cookie_consent", None) or consent_from_cookie(request)
    return {
        "analytics_allowed": cookie.analytics_allowed,
        "show_cookie_banner": not cookie.answered,
    }
