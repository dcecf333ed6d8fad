"""The data export: everything the registry finds about a person, as JSON and CSV in a ZIP.

Each registered model becomes ``json/<app>-<model>.json`` and ``csv/<app>-<model>.csv``;
``manifest.json`` lists them with the fields that are personal and what erasure would do to
each, so the person reads not only their data but how Tridex treats it.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from django.conf import settings
from django.utils import timezone

from tridex.privacy.registry import PersonalData, registry


def export_archive(*, user: Any) -> bytes:
    """Build the ZIP of ``user``'s data and return its bytes."""
    buffer = io.BytesIO()
    manifest: list[dict[str, Any]] = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in registry.entries():
            columns, rows = _rows(entry, user)
            name = entry.label.lower().replace(".", "-")
            archive.writestr(f"json/{name}.json", _json(rows))
            archive.writestr(f"csv/{name}.csv", _csv(columns, rows))
            manifest.append(
                {
                    "model": entry.label,
                    "rows": len(rows),
                    "personal_fields": list(entry.fields),
                    "on_erasure": str(entry.erasure),
                    "kept_because": entry.reason,
                }
            )
        archive.writestr(
            "manifest.json",
            _json(
                {
                    "generated_at": timezone.now().isoformat(),
                    "privacy_notice_version": settings.TRIDEX_PRIVACY_NOTICE_VERSION,
                    "files": manifest,
                }
            ),
        )
    return buffer.getvalue()


def _rows(entry: PersonalData, user: Any) -> tuple[list[str], list[dict[str, Any]]]:
    model = entry.model
    columns = [
        f.attname for f in model._meta.concrete_fields if f.attname not in entry.not_exported
    ]
    rows = [
        {name: _plain(value) for name, value in row.items()}
        for row in entry.rows_of(user).values(*columns)
    ]
    return columns, rows


def _plain(value: Any) -> Any:
    """A value JSON and CSV can hold as it is."""
    if value is None or isinstance(value, str | int | float | bool | dict | list):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)


def _csv(columns: list[str], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value: Any) -> Any:
    """A CSV cell; text a spreadsheet would run as a formula is quoted (CSV injection)."""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
