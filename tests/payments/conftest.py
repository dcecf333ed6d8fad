"""Gateway tests assert their messages in English; the fake Stripe fixtures live in
tests/conftest.py."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _english():
    """Gateway messages are asserted in English; the shop's default language is Thai."""
    from django.utils import translation

    with translation.override("en"):
        yield
