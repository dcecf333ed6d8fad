"""Every write of the privacy domain: consents, exports, erasure and staff requests.

Each function is keyword-only and runs in one transaction. Erasure walks the registry
(``tridex.privacy.registry``) for one person inside one transaction, so a failure anywhere
leaves that person exactly as they were; the daily job goes on with the next person.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tridex.accounts.adapter import user_language
from tridex.audit.context import Actor
from tridex.audit.models import AuditEntry
from tridex.audit.services import audit_record
from tridex.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from tridex.core.locking import lock_rows
from tridex.privacy.export import export_archive
from tridex.privacy.models import ConsentRecord, ConsentSource, PrivacyRequest, Purpose
from tridex.privacy.registry import Erasure, registry
from tridex.privacy.selectors import consent_latest, erasure_pending, export_pending
from tridex.privacy.storage import export_storage

logger = logging.getLogger(__name__)

EXPORT_LINK_SALT = "tridex.privacy.export-link"
# What a signed-out visitor chose in the cookie banner.
COOKIE_CHOICES = {"all": True, "necessary": False}
Kind = PrivacyRequest.Kind
Status = PrivacyRequest.Status


class LinkExpired(DomainError):
    """An export link that was real but can no longer be used."""

    code = "export_link_expired"
    status = 410


# --- Consents ---------------------------------------------------------------------------------


def consent_record(
    *, purpose: str, granted: bool, source: str, user: Any = None, visitor_id: str = ""
) -> ConsentRecord:
    """Record one grant or withdrawal under the current privacy notice."""
    if purpose not in Purpose.values:
        raise ValidationFailed(
            _("Unknown consent purpose."), code="consent_purpose", field="purpose"
        )
    if source not in ConsentSource.values:
        raise ValidationFailed(_("Unknown consent source."), code="consent_source", field="source")
    if user is None and not visitor_id:
        raise ValidationFailed(_("A consent needs a person."), code="consent_subject")
    return ConsentRecord.objects.create(
        user=user,
        visitor_id=visitor_id[:32],
        purpose=purpose,
        granted=bool(granted),
        source=source,
        notice_version=settings.TRIDEX_PRIVACY_NOTICE_VERSION,
    )


def consents_update(*, user: Any, choices: Mapping[str, bool], source: str) -> list[ConsentRecord]:
    """Record the purposes whose choice changed (or was never made under this notice)."""
    unknown = set(choices) - set(Purpose.values)
    if unknown:
        raise ValidationFailed(_("Unknown consent purpose."), code="consent_purpose")
    recorded = []
    with transaction.atomic():
        latest = consent_latest(user=user)
        for purpose, granted in choices.items():
            current = latest.get(purpose)
            unchanged = (
                current is not None
                and current.granted == bool(granted)
                and current.notice_version == settings.TRIDEX_PRIVACY_NOTICE_VERSION
            )
            if not unchanged:
                recorded.append(
                    consent_record(user=user, purpose=purpose, granted=granted, source=source)
                )
    return recorded


def cookie_choice_record(*, choice: str, visitor_id: str, user: Any = None) -> ConsentRecord:
    """Record the cookie banner's answer: analytics cookies allowed ("all") or not."""
    if choice not in COOKIE_CHOICES:
        raise ValidationFailed(_("Choose which cookies to allow."), code="cookie_choice")
    signed_in = user if user is not None and user.is_authenticated else None
    return consent_record(
        purpose=Purpose.ANALYTICS,
        granted=COOKIE_CHOICES[choice],
        source=ConsentSource.COOKIE_BANNER,
        user=signed_in,
        visitor_id=visitor_id,
    )


# --- Requests ---------------------------------------------------------------------------------


def _due(now: datetime) -> datetime:
    return now + timedelta(days=settings.TRIDEX_PRIVACY_REQUEST_DUE_DAYS)


def _audit(request: PrivacyRequest, event: str, actor: Actor | None = None, **data: Any) -> None:
    audit_record(
        action=AuditEntry.Action.ACTION,
        obj=request,
        data={"privacy": event, "kind": request.kind, **data},
        actor=actor,
    )


def privacy_request_create(
    *, user: Any, kind: str, details: str = "", channel: str = PrivacyRequest.Channel.STAFF
) -> PrivacyRequest:
    """Register a request a person made (by email, phone, letter) for staff to fulfil."""
    if kind not in Kind.values:
        raise ValidationFailed(_("Unknown kind of request."), code="privacy_kind", field="kind")
    if kind == Kind.ERASURE:
        return erasure_request(user=user, channel=channel, details=details)
    with transaction.atomic():
        now = timezone.now()
        request = PrivacyRequest.objects.create(
            user=user, kind=kind, channel=channel, details=details, created_at=now, due_at=_due(now)
        )
        _audit(request, "received")
    return request


def privacy_request_close(*, request_id: int, status: str, note: str = "") -> PrivacyRequest:
    """Mark an access or correction request done or rejected (staff did the work by hand)."""
    if status not in (Status.COMPLETED, Status.REJECTED):
        raise ValidationFailed(_("A request is closed as completed or rejected."), code="status")
    with transaction.atomic():
        request = _pending(request_id)
        if request.kind in (Kind.EXPORT, Kind.ERASURE) and status == Status.COMPLETED:
            raise Conflict(
                _("Exports and erasures are completed by running them."), code="privacy_run_it"
            )
        request.status = status
        request.completed_at = timezone.now()
        if note:
            request.staff_note = "\n".join(filter(None, [request.staff_note, note]))
        request.save(update_fields=["status", "completed_at", "staff_note"])
        _audit(request, str(status))
    return request


def _pending(request_id: int, kind: str | None = None) -> PrivacyRequest:
    request = lock_rows(PrivacyRequest.objects.filter(pk=request_id)).first()
    if request is None or (kind and request.kind != kind):
        raise NotFound(_("There is no such privacy request."), code="privacy_request_not_found")
    if request.status != Status.PENDING:
        raise Conflict(_("This request is already closed."), code="privacy_request_closed")
    return request


# --- Export -----------------------------------------------------------------------------------


def export_request(*, user: Any, channel: str = PrivacyRequest.Channel.CUSTOMER) -> PrivacyRequest:
    """Ask for an export; it is built in the background and its link emailed."""
    from tridex.privacy.tasks import build_export  # tasks.py wraps this module

    with transaction.atomic():
        if export_pending(user=user) is not None:
            raise Conflict(
                _("Your export is already being prepared. We will email you the link."),
                code="export_pending",
            )
        now = timezone.now()
        request = PrivacyRequest.objects.create(
            user=user, kind=Kind.EXPORT, channel=channel, created_at=now, due_at=_due(now)
        )
        _audit(request, "export_requested")
        transaction.on_commit(lambda: build_export.delay(request.pk))
    return request


def export_build(*, request_id: int) -> PrivacyRequest:
    """Build the ZIP of a pending export and store it privately (a no-op once built)."""
    storage = export_storage()
    name = ""
    try:
        with transaction.atomic():
            request = lock_rows(
                PrivacyRequest.objects.filter(pk=request_id, kind=Kind.EXPORT)
            ).first()
            if request is None:
                raise NotFound(
                    _("There is no such privacy request."), code="privacy_request_not_found"
                )
            if request.status != Status.PENDING:
                return request
            content = export_archive(user=request.user)
            name = storage.save(
                f"{request.user_id}/{request.pk}-{secrets.token_urlsafe(24)}.zip",
                ContentFile(content),
            )
            now = timezone.now()
            request.export_file = name
            request.export_nonce = secrets.token_urlsafe(32)
            request.export_expires_at = now + timedelta(hours=settings.TRIDEX_PRIVACY_EXPORT_HOURS)
            request.status = Status.COMPLETED
            request.completed_at = now
            request.save()
            _audit(request, "export_built", size=len(content))
    except Exception:
        if name:  # a rolled-back build must not leave its file behind
            storage.delete(name)
        raise
    return request


def export_token(request: PrivacyRequest) -> str:
    """The signed secret of an export's download link."""
    return signing.dumps({"r": request.pk, "n": request.export_nonce}, salt=EXPORT_LINK_SALT)


def export_link_send(*, request_id: int) -> bool:
    """Email the export's link to its owner, once; True when an email went out."""
    with transaction.atomic():
        request = lock_rows(
            PrivacyRequest.objects.filter(pk=request_id, kind=Kind.EXPORT).select_related("user")
        ).first()
        if request is None or not request.export_file or request.export_emailed_at:
            return False
        user = request.user
        with translation.override(user_language(user)):
            path = reverse("privacy:export_download", args=[export_token(request)])
            context = {
                "user": user,
                "link": settings.TRIDEX_SITE_URL.rstrip("/") + path,
                "expires_at": request.export_expires_at,
                "hours": settings.TRIDEX_PRIVACY_EXPORT_HOURS,
            }
            subject = render_to_string("privacy/email/export_ready_subject.txt", context)
            body = render_to_string("privacy/email/export_ready_message.txt", context)
        request.export_emailed_at = timezone.now()
        request.save(update_fields=["export_emailed_at"])
        # Sent last: a failed send rolls back the mark and the task retries.
        send_mail(" ".join(subject.split()), body, None, [user.email])
    return True


def export_claim(*, user: Any, token: str) -> PrivacyRequest:
    """Spend an export link: only its owner, only once, only before it expires."""
    try:
        data = signing.loads(
            token, salt=EXPORT_LINK_SALT, max_age=settings.TRIDEX_PRIVACY_EXPORT_HOURS * 3600
        )
    except signing.SignatureExpired:
        raise LinkExpired(_("This download link has expired. Ask for a new export.")) from None
    except signing.BadSignature:
        raise NotFound(_("This download link is not valid."), code="export_link_invalid") from None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int):
        raise NotFound(_("This download link is not valid."), code="export_link_invalid")
    with transaction.atomic():
        request = lock_rows(
            PrivacyRequest.objects.filter(pk=data["r"], user=user, kind=Kind.EXPORT)
        ).first()
        if request is None or not hmac.compare_digest(
            request.export_nonce or "-", str(data.get("n", ""))
        ):
            raise NotFound(_("This download link is not valid."), code="export_link_invalid")
        now = timezone.now()
        if (
            not request.export_file
            or request.export_expires_at is None
            or (request.export_expires_at <= now)
        ):
            raise LinkExpired(_("This download link has expired. Ask for a new export."))
        if request.export_downloaded_at is not None:
            raise LinkExpired(
                _("This download link has already been used. Ask for a new export."),
                code="export_link_used",
            )
        request.export_downloaded_at = now
        request.save(update_fields=["export_downloaded_at"])
        _audit(request, "export_downloaded")
    return request


def exports_purge(*, now: datetime | None = None) -> int:
    """Delete the files of exports whose link expired; return how many went."""
    now = now or timezone.now()
    storage = export_storage()
    purged = 0
    expired = PrivacyRequest.objects.filter(kind=Kind.EXPORT, export_expires_at__lte=now).exclude(
        export_file=""
    )
    for request_id in expired.values_list("pk", flat=True):
        with transaction.atomic():
            request = lock_rows(PrivacyRequest.objects.filter(pk=request_id)).get()
            if not request.export_file:
                continue
            name = request.export_file
            request.export_file = ""
            request.save(update_fields=["export_file"])
            transaction.on_commit(partial(storage.delete, name))
            purged += 1
    return purged


# --- Erasure ----------------------------------------------------------------------------------


def erasure_request(
    *, user: Any, channel: str = PrivacyRequest.Channel.CUSTOMER, details: str = ""
) -> PrivacyRequest:
    """Schedule the erasure of ``user`` after the grace period, during which it can be cancelled."""
    with transaction.atomic():
        if erasure_pending(user=user) is not None:
            raise Conflict(
                _("Your account is already scheduled for deletion."), code="erasure_pending"
            )
        now = timezone.now()
        erase_after = now + timedelta(days=settings.TRIDEX_PRIVACY_DELETION_GRACE_DAYS)
        request = PrivacyRequest.objects.create(
            user=user,
            kind=Kind.ERASURE,
            channel=channel,
            details=details,
            created_at=now,
            erase_after=erase_after,
            due_at=max(_due(now), erase_after + timedelta(days=1)),
        )
        _audit(request, "erasure_requested", erase_after=erase_after)
    return request


def erasure_cancel(*, user: Any) -> PrivacyRequest:
    """Cancel the person's pending account deletion."""
    with transaction.atomic():
        request = lock_rows(
            PrivacyRequest.objects.filter(user=user, kind=Kind.ERASURE, status=Status.PENDING)
        ).first()
        if request is None:
            raise NotFound(
                _("Your account is not scheduled for deletion."), code="erasure_not_pending"
            )
        request.status = Status.CANCELLED
        request.completed_at = timezone.now()
        request.save(update_fields=["status", "completed_at"])
        _audit(request, "erasure_cancelled")
    return request


def erasure_execute(*, request_id: int) -> PrivacyRequest:
    """Erase or anonymise everything the registry finds about the request's person, at once."""
    with transaction.atomic():
        request = _pending(request_id, kind=Kind.ERASURE)
        user = request.user
        files = list(
            PrivacyRequest.objects.filter(user=user, kind=Kind.EXPORT)
            .exclude(export_file="")
            .values_list("export_file", flat=True)
        )
        counts = person_erase(user=user)
        PrivacyRequest.objects.filter(user=user, kind=Kind.EXPORT).update(export_file="")
        # An export still waiting would otherwise be built from what is left and mailed nowhere.
        PrivacyRequest.objects.filter(user=user, status=Status.PENDING).exclude(
            pk=request.pk
        ).update(status=Status.CANCELLED, completed_at=timezone.now())
        request.status = Status.COMPLETED
        request.completed_at = timezone.now()
        request.save(update_fields=["status", "completed_at"])
        # The person is gone: the entry names the request, not them.
        _audit(request, "erased", actor=Actor(label="privacy erasure"), rows=counts)
        transaction.on_commit(partial(_delete_files, files))
    return request


def _delete_files(names: list[str]) -> None:
    storage = export_storage()
    for name in names:
        storage.delete(name)


def person_erase(*, user: Any) -> dict[str, int]:
    """Apply every registry entry's erasure to ``user``'s rows; return rows touched per model.

    Run inside the caller's transaction: an error in any entry undoes all of them.
    """
    counts: dict[str, int] = {}
    with transaction.atomic():
        # Every row is found before any is changed: anonymising an order unlinks its user,
        # after which its events could no longer be found through it.
        found = [
            (entry, list(entry.rows_of(user)))
            for entry in registry.entries()
            if entry.erasure != Erasure.KEEP
        ]
        for entry, rows in found:
            if entry.eraser is not None and rows:
                entry.eraser(rows)
                counts[entry.label] = len(rows)
                continue
            for row in rows:
                if entry.erasure == Erasure.DELETE:
                    row.delete()
                else:
                    row.save(update_fields=entry.anonymise(row))
            counts[entry.label] = len(rows)
    return counts


def erasure_run_due(*, now: datetime | None = None) -> list[int]:
    """Erase every person whose grace period ended, one transaction each; return request ids."""
    now = now or timezone.now()
    due = PrivacyRequest.objects.filter(
        kind=Kind.ERASURE, status=Status.PENDING, erase_after__lte=now
    ).order_by("erase_after", "pk")
    done = []
    for request_id in due.values_list("pk", flat=True):
        try:
            erasure_execute(request_id=request_id)
        except Exception:
            # One person's failure must not keep the others' data: log it, go on, retry tomorrow.
            logger.exception("privacy erasure %s failed; nothing of it was applied", request_id)
        else:
            done.append(request_id)
    return done
