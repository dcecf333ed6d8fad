"""Fixtures for back-office tests: admin users, staff with chosen permissions, English UI."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings):
    """The assertions quote the English messages; the shop's default language is Thai."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(
        email="boss@example.com", password="a-long-password-1"
    )


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def make_staff(db):
    def make(*codenames: str, email: str = "staff@example.com"):
        user = get_user_model().objects.create_user(
            email=email, password="a-long-password-1", is_staff=True
        )
        perms = Permission.objects.filter(codename__in=codenames)
        user.user_permissions.set(perms)
        return user

    return make
