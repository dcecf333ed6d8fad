"""The REST API v1: one ninja ``Router`` per domain, composed here into one ``NinjaAPI``."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from tridex.core.errors import DomainError

api = NinjaAPI(
    title="Tridex API",
    version="1.0.0",
    description="Catalog, markets and (later) commerce endpoints of a Tridex shop.",
    urls_namespace="api-v1",
    docs_url="/docs",
)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(
        request, {"code": "not_found", "message": "Not found."}, status=404
    )


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "field": ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "body", "path")),
            "message": err.get("msg", ""),
        }
        for err in exc.errors
    ]
    first = errors[0]["field"] if errors else ""
    body = {
        "code": "validation_failed",
        "message": f"Invalid value for '{first}'." if first else "Invalid request.",
        "field": first,
        "errors": errors,
    }
    return api.create_response(request, body, status=422)
