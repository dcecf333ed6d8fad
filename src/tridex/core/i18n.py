"""Reading translated fields from plain rows (``values()``), the way modeltranslation reads
them from model instances: the active language first, then the fallback languages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation


def languages() -> list[str]:
    """Languages to read a translated field in: the active one, then the fallbacks."""
    active = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    fallbacks = getattr(settings, "MODELTRANSLATION_FALLBACK_LANGUAGES", ())
    codes = [active, *fallbacks, *(code for code, _ in settings.LANGUAGES)]
    return list(dict.fromkeys(codes))


def translated(row: dict[str, Any] | Any, name: str) -> str:
    """``row``'s ``name`` in the first language that has it (a dict row or an object)."""
    for code in languages():
        value = (
            row.get(f"{name}_{code}") if isinstance(row, dict) else getattr(row, f"{name}_{code}")
        )
        if value:
            return str(value)
    return ""


def translated_fields(name: str) -> list[str]:
    """Every language's column of the translated field ``name``, for ``values()``."""
    return [f"{name}_{code}" for code, _ in settings.LANGUAGES]
