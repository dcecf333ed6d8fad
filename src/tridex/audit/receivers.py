"""Sign-ins, sign-outs, failed sign-ins and sign-in factor changes of staff accounts go to the
audit log.

Customers' own sign-in history belongs to their sessions; the audit log is about staff.
Sessions ended by a staff member (``accounts.sessions_ended``) are recorded as staff actions.
A failed sign-in is recorded when the address tried belongs to a staff account, whether or not
the password was close, which is what someone guessing a staff password looks like. A wrong
second-factor code after the right password is a failed sign-in too.

Factor entries name the account as their object (its security is what changed) and the factor
in their details; the authenticator row itself may already be gone.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
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


@receiver(mfa_signals.authenticator_added, dispatch_uid="tridex.audit.factor_added")
def _factor_added(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    _record_factor(A.FACTOR_ADDED, request, user, kwargs["authenticator"])


@receiver(mfa_signals.authenticator_removed, dispatch_uid="tridex.audit.factor_removed")
def _factor_removed(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    _record_factor(A.FACTOR_REMOVED, request, user, kwargs["authenticator"])


@receiver(mfa_signals.authenticator_reset, dispatch_uid="tridex.audit.recovery_codes_reset")
def _factor_reset(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    _record_factor(A.RECOVERY_CODES_RESET, request, user, kwargs["authenticator"])


@receiver(mfa_signals.authenticator_used, dispatch_uid="tridex.audit.factor_used")
def _factor_used(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    how = {"reauthenticated": bool(kwargs.get("reauthenticated"))}
    how["passwordless"] = bool(kwargs.get("passwordless"))
    _record_factor(A.FACTOR_USED, request, user, kwargs["authenticator"], **how)


@receiver(mfa_signals.authentication_failed, dispatch_uid="tridex.audit.factor_failed")
def _factor_failed(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    how = {"reauthentication": bool(kwargs.get("reauthentication"))}
    _record_factor(A.LOGIN_FAILED, request, user, kwargs["authenticator"], **how)


def _record_factor(
    action: str,
    request: HttpRequest | None,
    user: Any,
    authenticator: Authenticator,
    **details: bool,
) -> None:
    if not user.is_staff:
        return
    data: dict[str, object] = {"factor": authenticator.type, **details}
    if authenticator.pk is not None:  # a removed one has no id left
        data["authenticator_id"] = authenticator.pk
    if authenticator.type == Authenticator.Type.WEBAUTHN:
        data["name"] = str(authenticator)
    audit_record(action=action, obj=user, data=data, actor=_actor(request, user))


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
    owners = get_user_model()._default_manager.in_bulk({s["user_id"] for s in ended})
    for user_id in sorted({s["user_id"] for s in ended}):
        owner = owners.get(user_id)
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
