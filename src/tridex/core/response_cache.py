"""Whole-response cache for what every anonymous visitor sees the same: catalog pages and reads.

A storefront page costs tens of milliseconds of queries and template rendering; the same page
from the cache costs a fraction of one. Only shared content is cached:

- GET and HEAD only, answered 200, setting no cookie of their own;
- not for signed-in visitors, nor for a visitor with a pending flash message;
- keyed by everything the page depends on besides the database: scheme, host, full path with
  query, active language, the visitor's market, htmx's request headers and any headers the
  caller names (``Accept-Language`` for the API);
- and by a *generation* token the caller supplies (the catalog's, which every product, price,
  stock, category and rate change replaces), so a change retires every cached page at once.
  Without any change an entry lives ``timeout`` seconds, which bounds how late the things
  without an event (an availability date passing) appear.

A page with a form carries a CSRF token, which is personal. It is stored with the token
replaced by a placeholder, and a hit puts the visitor's own token back (and lets the CSRF
middleware set the cookie that goes with it), so cached pages stay CSRF-protected. A page that
used a token the cache cannot find in its body is not cached.

The Content-Security-Policy nonce is personal too, and more: a nonce that two responses share
is one an attacker can read from the first and use in the second. The page is stored with its
nonce replaced by a placeholder, and each hit gets the request's own fresh nonce, the one the
CSP middleware then names in that response's header.

The cache must be shared by every process that can change the catalog (Redis): a per-process
memory cache would keep serving a page another process has made stale. Settings turn it on only
then (``PAGE_CACHE_SECONDS``, see config/settings.py).

In front of the shared cache each process keeps the pages it served in the last
``LOCAL_SECONDS`` (a micro-cache, bounded to ``LOCAL_MAX_BYTES``). A hot page then costs no
round trip at all: under load the Redis read was most of a hit's time, mostly spent waiting
for the server to be scheduled on a busy machine. It changes no guarantee: the catalog
generation in the key is itself remembered per process for a second (search/listing_cache.py),
so a change already took up to that long to reach every process.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.cache import patch_vary_headers

CACHE_HEADER = "X-Tridex-Cache"
_CSRF_PLACEHOLDER = b"\x00tridex-csrf\x00"
_CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
_NONCE_PLACEHOLDER = b"\x00tridex-csp-nonce\x00"
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "Link")
_KEY_HEADERS = ("HX-Request", "HX-History-Restore-Request", "HX-Target")

LOCAL_SECONDS = 1.0
LOCAL_MAX_BYTES = 16 * 1024 * 1024

View = Callable[..., HttpResponse]


class _LocalCopies:
    """This process's recent entries: least recently used first out, and none kept past its
    expiry (the earlier of ``LOCAL_SECONDS`` and the shared entry's own end)."""

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._bytes = 0
        self._entries: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()  # Granian runs several threads per worker

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            item = self._entries.get(key)
            if item is None:
                return None
            if item[0] <= time.time():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return item[1]

    def put(self, key: str, entry: dict[str, Any]) -> None:
        size = len(entry["content"])
        if size > self._max_bytes // 16:
            return  # one huge page must not push out all the others
        expires = min(time.time() + LOCAL_SECONDS, entry.get("expires", 0.0))
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (expires, entry)
            self._bytes += size
            while self._bytes > self._max_bytes:
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _drop(self, key: str) -> None:
        _expires, entry = self._entries.pop(key)
        self._bytes -= len(entry["content"])


_local = _LocalCopies(LOCAL_MAX_BYTES)


def clear_local_copies() -> None:
    """Forget this process's copies (tests that clear the shared cache call this too)."""
    _local.clear()


def cache_shared_response(
    *, namespace: str, generation: Callable[[], str], vary_headers: Iterable[str] = ()
) -> Callable[[View], View]:
    """Serve ``view``'s anonymous 200 responses from the cache (see the module docstring)."""
    extra_headers = tuple(vary_headers)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            timeout = settings.PAGE_CACHE_SECONDS
            if not timeout or not _shared_request(request):
                return view(request, *args, **kwargs)
            key = _key(request, namespace, generation(), extra_headers)
            stored = _local.get(key)
            if stored is None:
                stored = cache.get(key)
                if stored is not None:
                    _local.put(key, stored)
            if stored is not None:
                return _from_cache(request, stored)
            response = view(request, *args, **kwargs)
            entry = _entry(request, response, timeout)
            if entry is not None:
                cache.set(key, entry, timeout)
                _local.put(key, entry)
                response[CACHE_HEADER] = "miss"
            return response

        return wrapper

    return decorator


def _shared_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    messages = getattr(request, "_messages", None)
    return not (messages is not None and len(messages))


def _key(request: HttpRequest, namespace: str, generation: str, headers: tuple[str, ...]) -> str:
    parts = [
        request.scheme or "",
        request.get_host(),
        request.get_full_path(),
        translation.get_language() or "",
        # "" for a request without a market (an unset or empty lazy market has no code).
        getattr(getattr(request, "market", None), "code", ""),
        # What else a middleware says the page depends on (the cookie banner's answer).
        getattr(request, "page_cache_variant", ""),
        *(request.headers.get(name, "") for name in (*_KEY_HEADERS, *headers)),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"tridex:response:{namespace}:{generation}:{digest}"


def _entry(request: HttpRequest, response: HttpResponse, timeout: int) -> dict[str, Any] | None:
    """What to store of ``response``, or None when it must not be shared."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return None
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-store" in cache_control:
        return None
    content = response.content
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        # The page used this visitor's CSRF token: store it with a placeholder instead.
        tokens = set(_CSRF_INPUT.findall(content))
        if not tokens:
            return None
        for token in tokens:
            content = content.replace(token, _CSRF_PLACEHOLDER)
    nonce = get_nonce(request)
    if nonce:  # true only once the page used it
        content = content.replace(
            f'nonce="{nonce}"'.encode("ascii"), b'nonce="' + _NONCE_PLACEHOLDER + b'"'
        )
    headers = {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)}
    # "expires" (wall clock, the same in every process) bounds the local copies' lifetime too.
    return {"content": content, "headers": headers, "expires": time.time() + timeout}


def _from_cache(request: HttpRequest, entry: dict[str, Any]) -> HttpResponse:
    content: bytes = entry["content"]
    personal = _CSRF_PLACEHOLDER in content
    if personal:
        # get_token also marks the CSRF cookie for the middleware to set, as rendering would.
        content = content.replace(_CSRF_PLACEHOLDER, get_token(request).encode("ascii"))
    if _NONCE_PLACEHOLDER in content:
        # Reading the nonce generates it, so the CSP middleware names it in the header.
        content = content.replace(_NONCE_PLACEHOLDER, str(get_nonce(request)).encode("ascii"))
    response = HttpResponse(content)
    for name, value in entry["headers"].items():
        response[name] = value
    if personal:
        patch_vary_headers(response, ("Cookie",))
    response[CACHE_HEADER] = "hit"
    return response
