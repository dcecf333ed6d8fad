"""Fixtures for account tests: fast password hashing, clean rate limits, verified customers."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.test import Client

from tridex.accounts.models import User

PASSWORD = "Sofa-cover-2026"


@pytest.fixture(autouse=True)
def _fast_and_unthrottled(settings) -> None:
    """MD5 keeps each login under a millisecond; allauth's rate limits live in the cache."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    def make(email: str = "somchai@example.com", language: str = "en", **fields) -> User:
        user = User.objects.create_user(
            email=email, password=PASSWORD, preferred_language=language, **fields
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    return make


@pytest.fixture
def customer(make_user) -> User:
    return make_user()


@pytest.fixture
def customer_client(customer) -> Client:
    client = Client()
    client.force_login(customer)
    return client


def link_in_last_mail(path_prefix: str) -> str:
    """The path of the first link in the last email's text body that starts with the prefix."""
    body = mail.outbox[-1].body
    match = re.search(r"https?://testserver(" + re.escape(path_prefix) + r"\S*)", body)
    assert match, f"no {path_prefix} link in:\n{body}"
    return match.group(1)
