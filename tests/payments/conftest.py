"""Fixtures for the fake Stripe server: tests drive the real SDK against it over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.payments.stripe_server import FakeStripe
from tridex.payments.gateways.stripe import StripeGateway


@pytest.fixture
def stripe_server() -> Iterator[FakeStripe]:
    """A running fake Stripe on 127.0.0.1 (a free port), stopped after the test."""
    with FakeStripe() as server:
        yield server


@pytest.fixture
def stripe_gateway(stripe_server: FakeStripe) -> StripeGateway:
    """A StripeGateway pointed at the fake; no automatic retries, so failures show at once."""
    return StripeGateway(
        secret_key=stripe_server.api_key,
        webhook_secret=stripe_server.webhook_secret,
        api_base=stripe_server.url,
        timeout=5,
        max_network_retries=0,
    )


@pytest.fixture
def stripe_settings(settings, stripe_server: FakeStripe):
    """Django settings pointing ``StripeGateway.from_settings()`` at the fake server."""
    settings.STRIPE_SECRET_KEY = stripe_server.api_key
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_tridexfake"
    settings.STRIPE_WEBHOOK_SECRET = stripe_server.webhook_secret
    settings.STRIPE_API_BASE = stripe_server.url
    return settings


@pytest.fixture(autouse=True)
def _english():
    """Gateway messages are asserted in English; the shop's default language is Thai."""
    from django.utils import translation

    with translation.override("en"):
        yield
