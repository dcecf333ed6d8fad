"""Browser tests: a live server speaking plain HTTP to a local Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
BUILD = Path(__file__).resolve().parents[2] / "src" / "tridex" / "static" / "build"


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


@pytest.fixture
def browser(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # see test_variant_picker.py
    assert (BUILD / "htmx.min.js").is_file(), "build the assets first: cd frontend && npm run build"
    assert Path(CHROMIUM).is_file(), "install Debian's Chromium: apt-get install -y chromium"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()
