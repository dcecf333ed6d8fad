"""Who is acting, from where: set per request by ``AuditContextMiddleware``, read by
``audit_record`` so that a service called from a page, the API or the admin records its actor
without every caller passing the request down."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse

# Moved to the kernel so that rate limits (core, accounts) read the same address; still
# importable from here.
from tridex.core.http import client_ip


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    label: str = ""
    ip: str | None = None
    user_agent: str = ""


_current: ContextVar[Actor | None] = ContextVar("tridex_audit_actor", default=None)


def actor_of(request: HttpRequest) -> Actor:
    user = getattr(request, "user", None)
    ip, agent = client_ip(request), request.META.get("HTTP_USER_AGENT", "")[:400]
    if user is None or not user.is_authenticated:
        return Actor(ip=ip, user_agent=agent)
    label = str(getattr(user, "email", "") or user.get_username())
    return Actor(user_id=user.pk, label=label, ip=ip, user_agent=agent)


def current_actor() -> Actor | None:
    return _current.get()


@contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    """Attribute what happens inside to ``actor`` (a request, a command, a task)."""
    token = _current.set(actor)
    try:
        yield
    finally:
        _current.reset(token)


class AuditContextMiddleware:
    """After authentication: makes the request's user, IP and browser the current actor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Lazy: the user is looked up only if something is audited.
        token = _current.set(_LazyActor(request))  # type: ignore[arg-type]
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


class _LazyActor:
    def __init__(self, request: HttpRequest) -> None:
        self._request = request
        self._actor: Actor | None = None

    def __getattr__(self, name: str) -> Any:
        if self._actor is None:
            self._actor = actor_of(self._request)
        return getattr(self._actor, name)
