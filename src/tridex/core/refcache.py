"""Per-process copies of small tables that every request reads and staff rarely change.

Markets, delivery methods, tax rates and payment options are read by every cart, quote and
order; as queries they were a fifth of a purchase's database round trips. A ``TableCache``
keeps one copy of such a table per process and knows when it is stale:

- any ``save()`` or ``delete()`` of one of its models (admin, services, shell, fixtures) drops
  the process's copy at once and replaces a token in the shared cache, again when the
  transaction commits (so a process that reloaded the old rows meanwhile reloads once more);
- each process compares its copy's token with the shared one at most once per
  ``LOCAL_SECONDS``, so another process's change reaches it within that delay: the same
  delay the page cache already has (``search/listing_cache.py``).

``QuerySet.update()`` sends no signal: code that writes these tables saves rows one by one.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

LOCAL_SECONDS = 1.0
_all: list[TableCache[Any]] = []


class TableCache[T]:
    """``load()``'s result, kept per process until one of ``models`` changes."""

    def __init__(self, name: str, load: Callable[[], T], *senders: type[models.Model]) -> None:
        self.key = f"tridex:refcache:{name}"
        self._load = load
        self._lock = threading.Lock()
        self._value: T | None = None
        self._token: str | None = None
        self._checked_until = 0.0
        for sender in senders:
            uid = f"{self.key}:{sender._meta.label}"
            post_save.connect(self._changed, sender=sender, weak=False, dispatch_uid=uid)
            post_delete.connect(self._changed, sender=sender, weak=False, dispatch_uid=uid)
        _all.append(self)

    def get(self) -> T:
        now = time.monotonic()
        value = self._value
        if value is not None and now < self._checked_until:
            return value
        with self._lock:  # one thread reloads; the others wait for its copy
            shared = cache.get(self.key)
            if self._value is None or shared is None or shared != self._token:
                token = shared or self._bump()
                self._value = self._load()
                self._token = token
            self._checked_until = time.monotonic() + LOCAL_SECONDS
            return self._value

    def clear(self) -> None:
        """Forget this process's copy (tests; a change made where no signal is sent)."""
        self._value = None
        self._checked_until = 0.0

    def _bump(self) -> str:
        token = uuid.uuid4().hex
        cache.set(self.key, token, None)
        return token

    def _changed(self, **_kwargs: Any) -> None:
        self._invalidate()
        transaction.on_commit(self._invalidate)

    def _invalidate(self) -> None:
        self.clear()
        self._bump()


def clear_all() -> None:
    for table in _all:
        table.clear()
