"""Refuse requests carrying NUL characters before any view sees them.

PostgreSQL text cannot hold NUL (0x00); a NUL in a slug or filter would otherwise surface as a
database error (a 500) deep in a query. The API answers 422 naming the parameter, pages 400.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = _nul_field(request)
        if field is None:
            return self.get_response(request)
        message = _("“%(field)s” contains a character that is not allowed.") % {"field": field}
        if request.path.startswith("/api/"):
            body = {"code": "validation_failed", "message": message, "field": field}
            return JsonResponse(body, status=422)
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def _nul_field(request: HttpRequest) -> str | None:
    if "\x00" in request.path:
        return "path"
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return key.replace("\x00", "")
    return None
