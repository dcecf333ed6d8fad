"""Reads the consent cookie once per request and tells the page cache about it.

Anonymous pages are cached whole (core/response_cache.py); the cookie banner and the analytics
hook differ between visitors who answered and those who did not, so the answer (never the
visitor's id) becomes part of the cache key through ``request.page_cache_variant``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tridex.privacy.cookies import consent_from_cookie


class ConsentMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        consent = consent_from_cookie(request)
        request.cookie_consent = consent  # type: ignore[attr-defined]
        request.page_cache_variant = f"consent={consent.choice}"  # type: ignore[attr-defined]
        return self.get_response(request)
