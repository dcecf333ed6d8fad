"""A short-lived cache of listing totals and facet counts, the costly part of a listing, and the
catalog *generation* that also keys the page cache (core/response_cache.py).

Entries are keyed by a *generation* token that every index write and every price, rate or stock
change replaces, so a change invalidates all cached counts at once without deleting keys (which
Django's cache cannot do by prefix). Without any change an entry lives ``TIMEOUT`` seconds.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from typing import Any

from django.core.cache import cache

TIMEOUT = 60
# Smaller results are cheap to count live, and counting them live keeps them exact.
MIN_TOTAL = 1_000
_GENERATION_KEY = "tridex:search:listing-generation"


# Each process remembers the token this long before asking the cache again: a cached page then
# costs one cache read instead of two, and another process's change shows within this delay.
LOCAL_SECONDS = 1.0
_local: dict[str, Any] = {"token": None, "until": 0.0}  # nosec B105  # a cache token, not a password


def generation() -> str:
    now = time.monotonic()
    if _local["token"] is not None and now < _local["until"]:
        return str(_local["token"])
    token = cache.get(_GENERATION_KEY)
    if token is None:
        return bump()
    _remember(str(token))
    return str(token)


def bump() -> str:
    """Invalidate every cached listing count and page (the old keys simply expire)."""
    token = uuid.uuid4().hex
    cache.set(_GENERATION_KEY, token, None)
    _remember(token)
    return token


def forget_local() -> None:
    """Forget this process's memory of the token (tests that clear the shared cache call this:
    a remembered token the cache no longer holds would be replaced by a new one mid-test)."""
    _local.update(token=None, until=0.0)


def _remember(token: str) -> None:
    _local["token"] = token
    _local["until"] = time.monotonic() + LOCAL_SECONDS


def key(parts: dict[str, Any]) -> str:
    digest = hashlib.sha256(
        json.dumps(parts, sort_keys=True, default=str).encode("utf-8")
    ).hexdigest()
    return f"tridex:search:listing:{generation()}:{digest}"


def get(cache_key: str) -> Any:
    return cache.get(cache_key)


def put(cache_key: str, value: Any) -> None:
    cache.set(cache_key, value, TIMEOUT)
