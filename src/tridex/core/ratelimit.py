"""Rate limits: how many times a client may do one thing in a window, counted in the cache.

Every limited place calls ``limit(action, request=...)``; ``settings.TRIDEX_RATE_LIMITS`` says,
per action, how many requests each *scope* may make per period::

    TRIDEX_RATE_LIMITS = {"login": {"ip": "30/5m", "account": "10/5m"}, ...}

Scopes: ``ip`` (the client's address, ``core.http.client_ip``), ``user`` (the signed-in user;
skipped for visitors) and ``account`` (the address a sign-in or a password reset is aimed at,
whoever sends it). Counters are fixed windows kept with ``cache.add`` + ``cache.incr``, both
atomic on Redis, so every web worker counts into the same number; with the embedded local
memory cache each process counts on its own. A fixed window lets through at most twice the
limit across one window boundary, which is fine for stopping floods and brute force and costs
one round trip instead of a sorted set per request.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tridex.core.errors import DomainError
from tridex.core.http import client_ip

SCOPES = ("ip", "user", "account")
# Tests give each test its own namespace; production never changes it.
KEY_PREFIX = "ratelimit"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


class RateLimited(DomainError):
    """Too many requests of one kind; ``retry_after`` says in how many seconds to try again."""

    code = "rate_limited"
    status = 429

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        message = (
            _("Too many attempts. Please wait %(seconds)d seconds and try again.")
            % {"seconds": retry_after}
            if retry_after < 120
            else _("Too many attempts. Please wait %(minutes)d minutes and try again.")
            % {"minutes": minutes}
        )
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds

    @classmethod
    def parse(cls, text: str) -> Rate:
        """Read ``"10/5m"`` (10 per 5 minutes); units s, m, h, d."""
        match = _RATE.match(text)
        if not match or int(match[1]) < 1:
            raise ValueError(f"not a rate: {text!r} (expected like '10/5m')")
        return cls(int(match[1]), int(match[2] or 1) * _UNITS[match[3]])


def rates_for(action: str) -> dict[str, Rate]:
    """The configured rates of ``action`` by scope; an unknown action is a programming error."""
    configured = settings.TRIDEX_RATE_LIMITS[action]
    unknown = set(configured) - set(SCOPES)
    if unknown:
        raise ValueError(f"unknown rate limit scopes for {action}: {sorted(unknown)}")
    return {scope: Rate.parse(text) for scope, text in configured.items() if text}


def check_rate_limits(**kwargs: Any) -> list[checks.CheckMessage]:
    """System check: a mistyped ``TRIDEX_RATE_LIMITS`` stops ``manage.py check`` and startup
    instead of failing the first request it applies to."""
    errors: list[checks.CheckMessage] = []
    for action in settings.TRIDEX_RATE_LIMITS:
        try:
            rates_for(action)
        except (ValueError, TypeError, AttributeError) as exc:
            errors.append(
                checks.Error(f"TRIDEX_RATE_LIMITS[{action!r}]: {exc}", id="tridex.ratelimit.E001")
            )
    return errors


def limit(action: str, *, request: HttpRequest, account: str = "") -> None:
    """Count one request of ``action``; raise ``RateLimited`` when any of its scopes is spent.

    Refused requests count too, so a client that keeps hammering stays refused.
    """
    user = getattr(request, "user", None)
    identities = {
        "ip": client_ip(request) or "",
        "user": str(user.pk) if user is not None and user.is_authenticated else "",
        "account": account.strip().lower(),
    }
    waits = [
        wait
        for scope, rate in rates_for(action).items()
        if identities[scope] and (wait := _hit(action, scope, identities[scope], rate))
    ]
    if waits:
        raise RateLimited(retry_after=max(waits))


def _hit(action: str, scope: str, identity: str, rate: Rate) -> int:
    """Count a hit in the current window; the seconds until it ends if over the limit, else 0."""
    now = time.time()
    window = int(now // rate.period)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    key = f"{KEY_PREFIX}:{action}:{scope}:{rate.limit}/{rate.period}:{digest}:{window}"
    cache.add(key, 0, timeout=rate.period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this is the first hit of a new window
        cache.set(key, 1, timeout=rate.period + 1)
        count = 1
    if count <= rate.limit:
        return 0
    return max(1, math.ceil((window + 1) * rate.period - now))


def rate_limited_response(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    """429 with ``Retry-After``: JSON for API clients, a page for browsers."""
    if request.path.startswith("/api/"):
        body: dict[str, Any] = {"field": None, **exc.as_dict()}
        response: HttpResponse = JsonResponse(body, status=429)
    elif request.path.startswith("/_allauth/"):
        # The envelope of allauth's headless API, which mobile apps already parse.
        body = {"status": 429, "errors": [{"code": exc.code, "message": exc.message}]}
        response = JsonResponse(body, status=429)
    else:
        context = {"message": exc.message, "retry_after": exc.retry_after}
        response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response
