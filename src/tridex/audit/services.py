"""Writing, checking and archiving the audit log.

``audit_record`` appends one entry inside the caller's transaction (the entry and the change it
describes commit or roll back together). The chain's head row is locked first, so entries are
hashed strictly one after another even when several workers write at once.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from tridex.audit.context import Actor, current_actor
from tridex.audit.models import AuditArchive, AuditChain, AuditEntry
from tridex.core.locking import lock_rows

REDACTED = "[redacted]"
_SECRET_WORDS = ("password", "secret", "token", "otp", "recovery")
# Whole columns that hold secrets under a plain name: an authenticator's data is its TOTP seed,
# its recovery-code seed or its key's credential.
_SECRET_COLUMNS = {"mfa.authenticator": {"data"}}
# Bookkeeping columns that change on every save and say nothing about what staff did.
_SKIPPED_FIELDS = {"updated_at", "last_login"}


def audit_record(
    *,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    actor: Actor | None = None,
) -> AuditEntry:
    """Append an entry; the actor defaults to the current request's (``audit.context``)."""
    who = actor or current_actor() or Actor(label="system")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    with transaction.atomic():
        head = _chain_head()
        entry = AuditEntry(
            at=timezone.now(),
            actor_id=who.user_id,
            actor_label=who.label[:255],
            ip=who.ip,
            user_agent=who.user_agent[:400],
            action=action,
            object_type=object_type[:100],
            object_id=object_id[:64],
            object_repr=object_repr[:255],
            changes=jsonable(dict(changes or {})),
            data=jsonable(dict(data or {})),
            prev_hash=head.last_hash,
        )
        entry.hash = entry_hash(entry)
        entry.save()
        AuditChain.objects.filter(pk=head.pk).update(last_hash=entry.hash)
    return entry


def _chain_head() -> AuditChain:
    head = lock_rows(AuditChain.objects.filter(pk=1)).first()
    if head is None:
        head, _created = AuditChain.objects.get_or_create(pk=1)
        head = lock_rows(AuditChain.objects.filter(pk=1)).get()
    return head


def entry_hash(entry: AuditEntry) -> str:
    """SHA-256 of the previous hash and every recorded field of ``entry``."""
    text = json.dumps(
        _recorded_fields(entry), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(f"{entry.prev_hash}\n{text}".encode()).hexdigest()


def _recorded_fields(entry: AuditEntry) -> dict[str, Any]:
    """What an entry says, as hashed and as archived."""
    return {
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "ip": entry.ip,
        "user_agent": entry.user_agent,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "changes": entry.changes,
        "data": entry.data,
    }


# --- What changed ----------------------------------------------------------------------------


def snapshot(model: type[models.Model], pks: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """The stored values of the given rows, field by field, as JSON-ready values."""
    pks = [pk for pk in pks if pk is not None]
    if not pks:
        return {}
    opts = model._meta
    names = [f.attname for f in opts.concrete_fields]
    secret = _SECRET_COLUMNS.get(opts.label_lower, set())
    rows: dict[str, dict[str, Any]] = {
        str(row[opts.pk.attname]): {
            k: _redacted(v) if k in secret else _value(k, v) for k, v in row.items()
        }
        for row in model._base_manager.filter(pk__in=pks).values(*names)
    }
    for field in opts.many_to_many:
        through = getattr(model, field.name).through
        source = field.m2m_field_name()
        target = field.m2m_reverse_field_name()
        links = through.objects.filter(**{f"{source}__in": pks}).values_list(
            f"{source}_id", f"{target}_id"
        )
        for pk in rows:
            rows[pk][field.name] = []
        for source_pk, target_pk in links.order_by(f"{target}_id"):
            rows[str(source_pk)][field.name].append(target_pk)
    return rows


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value differs."""
    changed = {}
    for name in sorted(set(before) | set(after)):
        if name in _SKIPPED_FIELDS:
            continue
        old, new = before.get(name), after.get(name)
        if old != new:
            changed[name] = [old, new]
    return changed


def _value(name: str, value: Any) -> Any:
    if value is not None and any(word in name.lower() for word in _SECRET_WORDS):
        return _redacted(value)
    return jsonable(value)


def _redacted(value: Any) -> str:
    # Whether it changed still shows; what it was never does.
    return f"{REDACTED}:{hashlib.sha256(str(value).encode()).hexdigest()[:12]}"


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, bytes | memoryview):
        return f"<{len(bytes(value))} bytes>"
    if isinstance(value, float):
        return str(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


# --- Checking the chain ----------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_id: int | None = None  # the first entry that does not fit
    reason: str = ""


def audit_verify() -> ChainReport:
    """Walk the chain from the last archive on; name the first entry that does not fit."""
    anchor = AuditArchive.objects.order_by("-last_id").first()
    expected_prev = anchor.last_hash if anchor else ""
    checked = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != expected_prev:
            return ChainReport(False, checked, entry.pk, "does not follow the entry before it")
        if entry_hash(entry) != entry.hash:
            return ChainReport(False, checked, entry.pk, "was changed after it was written")
        expected_prev = entry.hash
        checked += 1
    head = AuditChain.objects.filter(pk=1).first()
    if head is not None and head.last_hash != expected_prev:
        return ChainReport(False, checked, None, "the newest entries are missing")
    return ChainReport(True, checked)


# --- Archiving -------------------------------------------------------------------------------


def audit_archive(*, now: datetime | None = None) -> AuditArchive | None:
    """Move entries older than ``TRIDEX_AUDIT_RETENTION_DAYS`` to a gzipped JSON-lines file.

    The file is written and synced before any row goes; its checksum and the hashes at both of
    its ends are kept, so the chain can be checked across archives.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.TRIDEX_AUDIT_RETENTION_DAYS)
    old = AuditEntry.objects.filter(at__lt=cutoff).order_by("id")
    last = old.last()
    if last is None:
        return None
    entries = list(AuditEntry.objects.filter(id__lte=last.pk).order_by("id"))
    folder = Path(settings.TRIDEX_AUDIT_ARCHIVE_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"audit-{entries[0].pk:010d}-{last.pk:010d}.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for line in _archive_lines(entries):
            handle.write(line + "\n")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with transaction.atomic():
        archive = AuditArchive.objects.create(
            path=str(path),
            sha256=digest,
            first_id=entries[0].pk,
            last_id=last.pk,
            count=len(entries),
            first_prev_hash=entries[0].prev_hash,
            last_hash=last.hash,
        )
        # The one place rows leave the table: Django's raw delete skips the append-only guard.
        models.QuerySet(AuditEntry).filter(id__lte=last.pk)._raw_delete(using="default")
    return archive


def _archive_lines(entries: list[AuditEntry]) -> Iterator[str]:
    for entry in entries:
        row = {
            "id": entry.pk,
            **_recorded_fields(entry),
            "prev_hash": entry.prev_hash,
            "hash": entry.hash,
        }
        yield json.dumps(row, ensure_ascii=False, sort_keys=True)


def audit_archive_check(archive: AuditArchive) -> bool:
    """Whether an archive file is still the one written (its checksum matches)."""
    path = Path(archive.path)
    return path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == archive.sha256
