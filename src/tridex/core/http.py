"""Facts about the HTTP request that several layers need (the audit log, rate limits)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the address the trusted proxies in front of
    Tridex saw (``TRIDEX_TRUSTED_PROXY_HOPS`` of them, counted from the right of
    X-Forwarded-For), never an address a client could write itself. Only a valid IP address
    is returned: it is stored in IP address columns and keys rate-limit counters."""
    hops = int(getattr(settings, "TRIDEX_TRUSTED_PROXY_HOPS", 0))
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    candidates = [forwarded[-hops]] if hops and len(forwarded) >= hops else []
    for candidate in [*candidates, request.META.get("REMOTE_ADDR", "")]:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None
