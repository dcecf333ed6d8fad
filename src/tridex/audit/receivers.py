"""Sign-ins, sign-outs and failed sign-ins of staff accounts go to the audit log.

Customers' own sign-in history belongs to their sessions; the audit log is about staff.
Sessions ended by a staff member (``accounts.sessions_ended``) are recorded as staff actions.
A failed sign-in is recorded when the address tried belongs to a staff account, whether or not
the password was close, which is what someone guessing a staff password looks like.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from tridex.audit.context import Actor, actor_of, client_ip, current_actor
from tridex.audit.models import AuditEntry
from tridex.audit.services import audit_record
from tridex.core.events import Event, subscribe

A = AuditEntry.Action


@receiver(user_logged_in, dispatch_uid="tridex.audit.login")
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user.is_staff:
        audit_record(action=A.LOGIN, obj=user, actor=_actor(request, user))


@receiver(user_logged_out, dispatch_uid="tridex.audit.logout")
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None and user.is_staff:
        audit_record(action=A.LOGOUT, obj=user, actor=_actor(request, user))


@receiver(user_login_failed, dispatch_uid="tridex.audit.login_failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    email = str(credentials.get("email") or credentials.get("username") or "").strip()
    if not email:
        return
    staff = get_user_model()._default_manager.filter(email__iexact=email, is_staff=True).first()
    if staff is None:
        return
    actor = Actor(
        label=email[:255],
        ip=client_ip(request) if request is not None else None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:400] if request is not None else "",
    )
    audit_record(action=A.LOGIN_FAILED, obj=staff, actor=actor)


def _actor(request: HttpRequest | None, user: Any) -> Actor:
    if request is None:
        return Actor(user_id=user.pk, label=user.email)
    seen = actor_of(request)
    return Actor(user_id=user.pk, label=user.email, ip=seen.ip, user_agent=seen.user_agent)


@subscribe("accounts.sessions_ended")
def _sessions_ended(event: Event) -> None:
    """A staff member ending sessions (their own or a customer's) is a staff action."""
    actor_id = event.payload.get("actor_id")
    if actor_id is None:
        return
    staff = get_user_model()._default_manager.filter(pk=actor_id, is_staff=True).first()
    if staff is None:
        return
    current = current_actor()
    actor = (
        current
        if current is not None and current.user_id == staff.pk
        else Actor(user_id=staff.pk, label=str(getattr(staff, "email", "")))
    )
    ended = event.payload.get("sessions", [])
    for user_id in sorted({s["user_id"] for s in ended}):
        owner = get_user_model()._default_manager.filter(pk=user_id).first()
        audit_record(
            action=A.ACTION,
            object_type="accounts.user",
            object_id=str(user_id),
            object_repr=str(owner) if owner is not None else "",
            data={
                "action": "end_sessions",
                "sessions": [
                    {"id": s["id"], "ip": s["ip"], "user_agent": s["user_agent"]}
                    for s in ended
                    if s["user_id"] == user_id
                ],
            },
            actor=actor,
        )
