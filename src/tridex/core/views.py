"""Health endpoints for load balancers and orchestrators, and the server error page."""

from __future__ import annotations

import uuid

from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponseServerError, JsonResponse
from django.middleware.csp import get_nonce
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive and serving requests."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """The database, the cache and the task broker are all reachable."""
    checks = {"database": _check_database(), "cache": _check_cache(), "broker": _check_broker()}
    ready = all(ok for ok, _ in checks.values())
    body = {
        "status": "ok" if ready else "unavailable",
        "checks": {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()},
    }
    return JsonResponse(body, status=200 if ready else 503)


def _check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        return False, type(exc).__name__
    return True, connection.vendor


def _check_cache() -> tuple[bool, str]:
    key = f"readyz:{uuid.uuid4().hex}"
    cache = caches["default"]
    try:
        cache.set(key, "1", 5)
        ok = cache.get(key) == "1"
        cache.delete(key)
    except Exception as exc:
        return False, type(exc).__name__
    return ok, type(cache).__name__ if ok else "read-back failed"


def _check_broker() -> tuple[bool, str]:
    # The project's Celery app is the current app once settings load (tridex.config); the
    # kernel reaches it this way instead of importing the config layer above it.
    from celery import current_app

    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
    except Exception as exc:
        return False, type(exc).__name__
    return True, str(transport)


def server_error(request: HttpRequest) -> HttpResponseServerError:
    """Render the self-contained 500 page, its inline style allowed by this response's nonce.

    Django's own handler renders without any context, so the style would carry no nonce and
    the enforced Content-Security-Policy would drop it.
    """
    return HttpResponseServerError(render_to_string("500.html", {"csp_nonce": get_nonce(request)}))
