"""The REST API v1: one ninja ``Router`` per area, composed here into one ``NinjaAPI``.

Every error leaves as JSON of one shape, ``{"code", "message", "field"}`` (see
``schemas.ErrorOut``): domain errors with their own status, unknown things as 404, invalid
parameters as 422 naming the parameter. Nothing a client sends should produce a 500.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, ValidationError

from tridex.api.catalog import router as catalog_router
from tridex.api.commerce import router as commerce_router
from tridex.api.markets import router as markets_router
from tridex.api.privacy import router as privacy_router
from tridex.api.reviews import router as reviews_router
from tridex.api.schemas import ErrorOut
from tridex.api.staff import router as staff_router
from tridex.core.errors import DomainError, NotFound
from tridex.core.ratelimit import RateLimited

api = NinjaAPI(
    title="Tridex API",
    version="1.0.0",
    description=(
        "Markets, categories and products of a Tridex shop; carts, wishlists, checkout and "
        "orders. Customers authenticate with the `X-Session-Token` of django-allauth's headless "
        "API (`/_allauth/app/v1/auth/login`); guests send the `X-Cart-Token` their first cart "
        "write returned. Money is always an object "
        '`{"amount": "1290.00", "currency": "THB", "formatted": "฿1,290.00"}` whose amount is '
        "a decimal string. Errors are JSON objects with `code`, `message` and `field`. "
        "Staff use the operations under `/staff/` with the same `X-Session-Token` (or the "
        "back-office session cookie and its CSRF token); each needs the permission the Django "
        "admin asks for the same change (403 `permission_denied` without it)."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
)

api.add_router("", markets_router)
api.add_router("", catalog_router)
api.add_router("", commerce_router)
api.add_router("", staff_router)
api.add_router("", reviews_router)
api.add_router("", privacy_router)

# Registered last: any path no router claimed answers with the API's JSON 404, not a page.
_fallback = Router()


@_fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"],
    "/{path:rest}",
    response={404: ErrorOut},
    include_in_schema=False,
)
def _unknown_path(request: HttpRequest, rest: str) -> None:
    raise NotFound(_("There is no such API endpoint."))


api.add_router("", _fallback)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    body = {"field": None, **exc.as_dict()}
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = _domain_error(request, exc)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = {
        "code": "unauthorized",
        "message": _("The session token is not valid; sign in again."),
        "field": "X-Session-Token",
    }
    return api.create_response(request, body, status=401)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    body = {"code": "not_found", "message": _("Not found."), "field": None}
    return api.create_response(request, body, status=404)


# Where a parameter came from; the name of a flattened ``Query[Schema]`` argument adds nothing.
_SOURCES = {"query", "path", "header", "cookie", "body", "form", "file"}


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    if len(loc) > 2 and str(loc[0]) == "body":
        # ("body", <argument name>, field, ...): the argument's name is not part of the JSON, and
        # a field may itself be called "body" (a review's text).
        return ".".join(str(p) for p in loc[2:])
    parts = [str(p) for p in loc if str(p) not in _SOURCES]
    if loc and str(loc[0]) in {"query", "path", "header", "cookie"} and parts:
        return parts[-1]
    return ".".join(parts)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": _field_of(err.get("loc", ())), "message": str(err.get("msg", ""))}
        for err in exc.errors
    ]
    first = errors[0]["field"] if errors else ""
    body = {
        "code": "validation_failed",
        "message": (
            _("Invalid value for “%(field)s”: %(detail)s")
            % {"field": first, "detail": errors[0]["message"]}
            if first
            else _("Invalid request.")
        ),
        "field": first or None,
        "errors": errors,
    }
    return api.create_response(request, body, status=422)
