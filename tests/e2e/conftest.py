"""Browser tests: a live server speaking plain HTTP to a local Chromium."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def _plain_http_for_live_server():
    """Settings read once when the live server builds its middleware (SecurityMiddleware keeps
    SECURE_SSL_REDIRECT from __init__), so the per-test override in tests/conftest.py comes too
    late: switch the HTTPS redirect off before the server starts."""
    from django.conf import settings

    previous = settings.SECURE_SSL_REDIRECT
    settings.SECURE_SSL_REDIRECT = False
    yield
    settings.SECURE_SSL_REDIRECT = previous


@pytest.fixture(scope="session")
def live_server(_plain_http_for_live_server, live_server):
    return live_server
