"""Who may call the staff API: one mechanism, the same model permissions as the admin.

Every staff operation declares the permission it needs with ``auth=require_perm(app, action,
model)``. ninja runs the auth before it parses a single parameter, so the answer is the same
whatever the request carries:

- no valid credentials → 401 ``unauthorized``;
- signed in but not staff (or deactivated) → 403 ``staff_only``;
- staff who have not enrolled a second factor → 403 ``mfa_enrolment_required`` (the back
  office's middleware refuses cookie sessions before routing; token callers are checked here);
- staff without the permission → 403 ``permission_denied``.

Credentials are django-allauth's: the ``X-Session-Token`` of the headless API (apps, scripts),
or the back-office session cookie, for which Django's CSRF check applies to every write. The
permission is ``user.has_perm("<app>.<action>_<model>")``, exactly what the Django admin asks,
so a role an Owner edits under *Groups* changes the API and the admin together; the permission
matrix (``tridex roles_matrix``) reads each operation's ``StaffPermission`` to document it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from allauth.headless.internal.sessionkit import authenticate_by_x_session_token
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.operation import Operation
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from tridex.accounts.mfa import MFAEnrolmentRequired, mfa_enrolment_required
from tridex.accounts.roles import StaffApiAction
from tridex.core.errors import Forbidden

TOKEN_HEADER = "X-Session-Token"  # noqa: S105  # nosec B105  # a header name, not a secret


def staff_authenticate(request: HttpRequest) -> Any:
    """The user behind the request's credentials, or ``None``: the one place a staff API
    caller is identified (checks every staff caller must pass belong here).

    A session token wins over the cookie; a token that is sent but not valid is refused rather
    than falling back to the cookie. A cookie session must pass Django's CSRF check.
    """
    token = request.headers.get(TOKEN_HEADER)
    if token:
        found = authenticate_by_x_session_token(token)
        user = found.user if found is not None else None
    else:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise Forbidden(_("The CSRF token is missing or wrong."), code="csrf_failed")
    if user is None or not user.is_authenticated:
        return None
    request.user = user
    return user


class StaffPermission(AuthBase):
    """Auth of one staff operation: a staff member holding ``permission``."""

    openapi_type = "apiKey"
    openapi_in = "header"
    openapi_name = TOKEN_HEADER

    def __init__(self, app_label: str, action: str, model: str) -> None:
        self.app_label, self.action, self.model = app_label, action, model
        self.permission = f"{app_label}.{action}_{model}"
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        user = staff_authenticate(request)
        if user is None:
            return None
        if not (user.is_active and user.is_staff):
            raise Forbidden(_("This API is for the shop's staff."), code="staff_only")
        if mfa_enrolment_required(user):
            raise MFAEnrolmentRequired()
        if not user.has_perm(self.permission):
            raise Forbidden(_("Your role does not allow this."), code="permission_denied")
        return user

    def __repr__(self) -> str:
        return f"require_perm({self.app_label!r}, {self.action!r}, {self.model!r})"


def require_perm(app_label: str, action: str, model: str) -> StaffPermission:
    """The auth of a staff operation that needs ``<app_label>.<action>_<model>``."""
    return StaffPermission(app_label, action, model)


# --- What the API offers, for the permission matrix and the access-control tests --------------

STAFF_PREFIX = "/staff/"


@dataclass(frozen=True)
class ApiOperation:
    operation_id: str
    method: str
    path: str  # as in the OpenAPI document without /api/v1, such as /staff/orders/{number}
    operation: Operation


def api_operations(api: NinjaAPI) -> Iterator[ApiOperation]:
    """Every operation of ``api``, in every router mounted on it."""
    for bound in api._get_bound_routers():
        for route, path_view in bound.path_operations.items():
            path = "/" + "/".join(p for p in f"{bound.prefix}/{route}".split("/") if p)
            for operation in path_view.operations:
                if not operation.include_in_schema:
                    continue
                operation_id = operation.operation_id or api.get_openapi_operation_id(operation)
                for method in operation.methods:
                    yield ApiOperation(operation_id, method, path, operation)


def staff_api_actions(api: NinjaAPI) -> list[StaffApiAction]:
    """The staff operations of ``api`` with the permission each declares."""
    actions = []
    for found in api_operations(api):
        if not found.path.startswith(STAFF_PREFIX):
            continue
        auth = [a for a in found.operation.auth_callbacks if isinstance(a, StaffPermission)]
        permission = auth[0].permission if len(auth) == 1 else None
        actions.append(StaffApiAction(found.operation_id, found.method, found.path, permission))
    return actions
