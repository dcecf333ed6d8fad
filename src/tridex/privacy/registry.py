"""The registry of personal data: which models hold it, how to find a person's rows, and what
erasing them means.

Privacy sits in the foundation layer and may not import the domains above it (orders, cart,
payments, ...). Each domain therefore describes its own personal data in a ``privacy.py``
module of its app, which ``PrivacyConfig.ready`` imports (``autodiscover_modules``); the
foundation models below privacy (accounts, audit, allauth, sessions) are described by
``tridex.privacy.foundation``. The export walks every entry; the erasure walks every entry in
one transaction per person. ``tests/privacy/test_registry.py`` fails when a model whose fields
look personal is neither registered nor declared free of personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models

ModelRef = type[models.Model] | str
RowFinder = Callable[[Any], "models.QuerySet[Any]"]
Anonymised = Any | Callable[[models.Model], Any]
Eraser = Callable[[list[Any]], None]


class Erasure(StrEnum):
    """What erasing a person does to a row of theirs."""

    DELETE = "delete"  # the row goes
    ANONYMISE = "anonymise"  # the row stays (a law requires it), its personal fields are replaced
    KEEP = "keep"  # the row stays as it is (legal hold); ``reason`` says why


class RegistryError(Exception):
    """A model registered twice, or an entry that cannot work (a programming mistake)."""


@dataclass(frozen=True)
class PersonalData:
    """How one model holds a person's data."""

    label: str  # "app_label.ModelName"
    fields: tuple[str, ...]
    erasure: Erasure
    owner: str = ""  # ORM path from the model to the user: "user", "order__user"
    rows: RowFinder | None = None  # instead of ``owner``, when a filter cannot say it
    anonymised: Mapping[str, Anonymised] = field(default_factory=dict)
    not_exported: tuple[str, ...] = ()  # secrets kept out of the export (password hashes)
    reason: str = ""
    # The domain's own service that deletes the rows, when deleting them must update
    # something else too (a product's review count); None deletes row by row.
    eraser: Eraser | None = None

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    def rows_of(self, user: Any) -> models.QuerySet[Any]:
        """The rows of this model that belong to ``user``."""
        if self.rows is not None:
            return self.rows(user)
        manager = self.model._base_manager
        return manager.filter(**{self.owner: user}).order_by("pk")

    def anonymise(self, row: models.Model) -> list[str]:
        """Replace the personal fields of ``row`` in memory; return the names changed."""
        for name, value in self.anonymised.items():
            setattr(row, name, value(row) if callable(value) else value)
        return [row._meta.get_field(name).attname for name in self.anonymised]  # type: ignore[union-attr]


@dataclass(frozen=True)
class NoPersonalData:
    """A model whose fields look personal but are not, with the reason."""

    label: str
    reason: str


class Registry:
    def __init__(self) -> None:
        self._entries: dict[str, PersonalData] = {}
        self._exempt: dict[str, NoPersonalData] = {}

    def register(
        self,
        model: ModelRef,
        *,
        fields: Iterable[str],
        erasure: Erasure,
        owner: str = "",
        rows: RowFinder | None = None,
        anonymised: Mapping[str, Anonymised] | None = None,
        not_exported: Iterable[str] = (),
        reason: str = "",
        eraser: Eraser | None = None,
    ) -> PersonalData:
        """Describe the personal data of ``model`` (call from an app's ``privacy.py``)."""
        label = _label(model)
        if label in self._entries or label in self._exempt:
            raise RegistryError(f"{label} is already in the privacy registry")
        if bool(owner) == (rows is not None):
            raise RegistryError(f"{label}: give either owner= or rows=")
        if erasure == Erasure.ANONYMISE and not anonymised:
            raise RegistryError(f"{label}: anonymise needs the anonymised values")
        if eraser is not None and erasure != Erasure.DELETE:
            raise RegistryError(f"{label}: an eraser deletes; use it with Erasure.DELETE")
        if erasure == Erasure.KEEP and not reason:
            raise RegistryError(f"{label}: say why the rows are kept")
        entry = PersonalData(
            label=label,
            fields=tuple(fields),
            erasure=erasure,
            owner=owner,
            rows=rows,
            anonymised=dict(anonymised or {}),
            not_exported=tuple(not_exported),
            reason=reason,
            eraser=eraser,
        )
        self._entries[label] = entry
        return entry

    def declare_no_personal_data(self, model: ModelRef, *, reason: str) -> None:
        """Say why a model whose fields look personal holds none."""
        label = _label(model)
        if label in self._entries or label in self._exempt:
            raise RegistryError(f"{label} is already in the privacy registry")
        self._exempt[label] = NoPersonalData(label=label, reason=reason)

    def unregister(self, model: ModelRef) -> None:
        label = _label(model)
        self._entries.pop(label, None)
        self._exempt.pop(label, None)

    def entries(self) -> list[PersonalData]:
        """Every entry, the user model last (the others find their rows through it)."""
        user_label = settings.AUTH_USER_MODEL.lower()
        return sorted(self._entries.values(), key=lambda e: e.label.lower() == user_label)

    def entry(self, model: ModelRef) -> PersonalData | None:
        return self._entries.get(_label(model))

    def exemption(self, model: ModelRef) -> NoPersonalData | None:
        return self._exempt.get(_label(model))

    def covers(self, model: ModelRef) -> bool:
        label = _label(model)
        return label in self._entries or label in self._exempt


def _label(model: ModelRef) -> str:
    if isinstance(model, str):
        return apps.get_model(model)._meta.label
    return model._meta.label


registry = Registry()
