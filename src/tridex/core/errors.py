"""Domain errors: every service raises one of these with a stable ``code``.

The API turns them into ``{"code", "message"}`` 4xx responses and pages into messages, so a
user never sees a 500 for a mistake they can fix.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the domain was broken by the input. Safe to show to the user."""

    code: str = "invalid"
    status: int = 400

    def __init__(
        self, message: str = "", *, code: str | None = None, field: str | None = None, **extra: Any
    ) -> None:
        super().__init__(message)
        self.message = str(message) or self.__class__.__name__
        if code:
            self.code = code
        self.field = field
        self.extra = extra

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        data.update(self.extra)
        return data


class NotFound(DomainError):
    code = "not_found"
    status = 404


class ValidationFailed(DomainError):
    code = "validation_failed"
    status = 422


class Conflict(DomainError):
    code = "conflict"
    status = 409


class Forbidden(DomainError):
    """The user is known but may not do this (a missing permission, a warehouse outside
    their scope)."""

    code = "permission_denied"
    status = 403
