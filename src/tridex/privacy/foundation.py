"""The personal data of the apps below privacy (accounts, audit, allauth, Django's own).

Those apps cannot import privacy (it sits above them), so privacy describes them here. The
domains above privacy describe their own models in their ``privacy.py``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models import QuerySet
from django.utils import timezone

from tridex.accounts.services import ADDRESS_FIELDS, session_store_delete
from tridex.privacy.registry import Erasure, registry

LEGAL_HOLD = (
    "Security and accountability record (PDPA s.24(6), GDPR art. 6(1)(c) and 17(3)(b)/(e)): "
    "hash-chained, kept unchanged until TRIDEX_AUDIT_RETENTION_DAYS moves it to the archive."
)


def erased_email(user: Any) -> str:
    """A unique address that reaches no one, so the email column stays unique."""
    return f"erased-{user.pk}@erased.invalid"


def _sessions_of(user: Any) -> QuerySet[Any]:
    """The live sessions signed in as ``user`` (their data must be decoded to tell)."""
    from django.contrib.sessions.models import Session

    mine = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id", "")) == str(user.pk)
    ]
    return Session.objects.filter(session_key__in=mine).order_by("pk")


def _end_sessions(sessions: list[Any]) -> None:
    """Delete each session from the session store, its cached copy (Redis) included: deleting
    the database row alone would leave the cached session data behind."""
    for session in sessions:
        session_store_delete(session_key=session.session_key)


def _the_user(user: Any) -> QuerySet[Any]:
    return type(user)._base_manager.filter(pk=user.pk)


def _audit_entries_of(user: Any) -> QuerySet[Any]:
    """What the person did themselves. Entries *about* them written by staff are not theirs
    to export: they name the staff member (whose data that is)."""
    from tridex.audit.models import AuditEntry

    return AuditEntry.objects.filter(actor=user).order_by("pk")


def _lockouts_of(user: Any) -> QuerySet[Any]:
    """Failed sign-ins counted against the person's address, whether or not the counter found
    their account when it was written."""
    from django.db.models import Q

    from tridex.accounts.models import LoginLockout

    return LoginLockout.objects.filter(Q(user=user) | Q(email=user.email.lower())).order_by("pk")


def register_foundation() -> None:
    registry.register(
        "accounts.User",
        rows=_the_user,
        fields=("email", "first_name", "last_name", "phone", "preferred_language", "last_login"),
        erasure=Erasure.ANONYMISE,
        # The row stays so that the audit log's and orders' references keep pointing at
        # something; it can never sign in again (inactive, unusable password, unknown email).
        anonymised={
            "email": erased_email,
            "first_name": "",
            "last_name": "",
            "phone": "",
            "password": lambda _user: make_password(None),
            "is_active": False,
            "is_staff": False,
            "is_superuser": False,
            "last_login": None,
        },
        not_exported=("password",),
        reason="Kept as an empty shell that the kept orders and the audit log refer to.",
    )
    registry.register(
        "accounts.Address",
        owner="user",
        fields=ADDRESS_FIELDS,
        erasure=Erasure.DELETE,
    )
    registry.register(
        "account.EmailAddress", owner="user", fields=("email",), erasure=Erasure.DELETE
    )
    registry.register(
        "account.EmailConfirmation",
        owner="email_address__user",
        fields=("email_address",),
        erasure=Erasure.DELETE,
        not_exported=("key",),
    )
    registry.register(
        "sessions.Session",
        rows=_sessions_of,
        fields=("session_data",),
        erasure=Erasure.DELETE,
        eraser=_end_sessions,
        not_exported=("session_key", "session_data"),
    )
    registry.register(
        "audit.AuditEntry",
        rows=_audit_entries_of,
        fields=("actor", "actor_label", "ip", "user_agent", "object_repr", "changes"),
        erasure=Erasure.KEEP,
        not_exported=("prev_hash", "hash"),
        reason=LEGAL_HOLD,
    )
    registry.register(
        "admin.LogEntry",
        owner="user",
        fields=("user",),
        erasure=Erasure.KEEP,
        reason="Django's admin history of a staff member's own changes; " + LEGAL_HOLD,
    )
    registry.register(
        "privacy.ConsentRecord",
        owner="user",
        fields=("user", "visitor_id"),
        erasure=Erasure.DELETE,
    )
    registry.register(
        "privacy.PrivacyRequest",
        owner="user",
        fields=("user", "details", "staff_note"),
        erasure=Erasure.ANONYMISE,
        anonymised={"details": "", "staff_note": ""},
        not_exported=("export_nonce", "export_file"),
        reason="Proof that the request was received and fulfilled in time (PDPA s.30-33, "
        "GDPR art. 5(2) and 12(3)); what was asked is blanked.",
    )
    registry.register(
        "accounts.LoginEvent",
        owner="user",
        fields=("at", "succeeded", "ip", "user_agent", "browser", "os", "device", "country"),
        erasure=Erasure.DELETE,
        not_exported=("fingerprint",),
    )
    registry.register(
        "accounts.LoginLockout",
        rows=_lockouts_of,
        fields=("email", "failures", "last_failure_at", "locked_until"),
        erasure=Erasure.DELETE,
    )
    registry.register(
        "usersessions.UserSession",
        owner="user",
        fields=("ip", "user_agent", "created_at", "last_seen_at"),
        erasure=Erasure.DELETE,
        not_exported=("session_key", "data"),
    )
    registry.register(
        "mfa.Authenticator",
        owner="user",
        fields=("type", "created_at", "last_used_at"),
        erasure=Erasure.DELETE,
        # The secret of an authenticator app, a key's public key, recovery codes: never in a
        # file that is mailed as a link.
        not_exported=("data",),
    )
