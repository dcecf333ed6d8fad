"""Domain events: a domain announces what happened; other domains subscribe.

Subscribers run after the surrounding transaction commits (``transaction.on_commit``), so a
reaction never sees a change that was rolled back, and a slow or failing subscriber cannot undo
the write that announced it. Lower layers emit; higher layers subscribe in their ``receivers``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

Handler = Callable[["Event"], None]
_subscribers: dict[str, list[Handler]] = defaultdict(list)


@dataclass(frozen=True)
class Event:
    name: str
    payload: dict[str, Any] = field(default_factory=dict)


def subscribe(name: str) -> Callable[[Handler], Handler]:
    """Register the decorated function to run after ``name`` is emitted and committed."""

    def register(handler: Handler) -> Handler:
        if handler not in _subscribers[name]:
            _subscribers[name].append(handler)
        return handler

    return register


def emit(name: str, **payload: Any) -> None:
    event = Event(name=name, payload=payload)
    transaction.on_commit(lambda: _deliver(event), robust=False)


def _deliver(event: Event) -> None:
    for handler in list(_subscribers.get(event.name, ())):
        try:
            handler(event)
        except Exception:  # one subscriber's failure must not hide the event from the rest
            logger.exception("subscriber %r failed on %s", handler, event.name)


def subscribers(name: str) -> list[Handler]:
    return list(_subscribers.get(name, ()))
