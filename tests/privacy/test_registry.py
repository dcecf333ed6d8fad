"""The registry covers every model with personal-looking fields, and refuses broken entries."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from tridex.privacy.registry import Erasure, Registry, RegistryError, registry

# Field names that usually hold something about a person.
PERSONAL_NAME = re.compile(
    r"(^|_)(e?mail|email_address|phone|mobile|first_name|last_name|full_name|author_name|"
    r"birth\w*|tax_id|ip|ip_address|user_agent|line1|line2|address|postcode|"
    r"shipping_address|billing_address|session_data|visitor_id)($|_)"
)


def personal_fields(model: type[models.Model]) -> list[str]:
    """The fields of ``model`` that look personal by name or type, or point at a user."""
    found = []
    for field in model._meta.get_fields():
        if field.auto_created and not field.concrete:
            continue  # reverse relations belong to the model that holds the key
        related = getattr(field, "related_model", None)
        to_user = related is not None and related._meta.label == settings.AUTH_USER_MODEL
        typed = isinstance(field, models.EmailField | models.GenericIPAddressField)
        if to_user or typed or PERSONAL_NAME.search(field.name):
            found.append(field.name)
    return found


def test_every_model_with_personal_fields_is_in_the_registry():
    missing = {
        model._meta.label: fields
        for model in apps.get_models()
        if (fields := personal_fields(model)) and not registry.covers(model)
    }
    assert not missing, (
        "Models with personal-looking fields must be registered in the privacy registry "
        f"(an app's privacy.py) or declared free of personal data: {missing}"
    )


def test_the_check_flags_a_model_with_personal_fields():
    """The heuristic is not blind: it sees the fields it is meant to see."""
    from tridex.accounts.models import Address, User
    from tridex.orders.models import Order

    assert {"email", "phone", "first_name"} <= set(personal_fields(User))
    assert {"user", "full_name", "line1", "phone", "tax_id"} <= set(personal_fields(Address))
    assert {"user", "email", "shipping_address"} <= set(personal_fields(Order))


def test_the_check_fails_for_an_unregistered_model():
    from tridex.cart.models import Cart

    entry = registry.entry(Cart)
    registry.unregister(Cart)
    try:
        assert personal_fields(Cart) and not registry.covers(Cart)
    finally:
        registry._entries[entry.label] = entry  # put back exactly what cart/privacy.py made
    assert registry.covers(Cart)


def test_every_entry_finds_rows_and_names_real_fields(db):
    from tridex.accounts.models import User

    user = User.objects.create_user(email="probe@example.com", password="x")
    for entry in registry.entries():
        names = {f.name for f in entry.model._meta.get_fields()}
        assert set(entry.fields) <= names, entry.label
        assert set(entry.anonymised) <= names, entry.label
        list(entry.rows_of(user))  # the owner path or finder works against the database


def test_registry_refuses_broken_entries():
    local = Registry()
    with pytest.raises(RegistryError):
        local.register("cart.Cart", fields=("user",), erasure=Erasure.DELETE)  # no owner
    with pytest.raises(RegistryError):
        local.register("cart.Cart", owner="user", fields=(), erasure=Erasure.ANONYMISE)
    with pytest.raises(RegistryError):
        local.register("cart.Cart", owner="user", fields=(), erasure=Erasure.KEEP)  # no reason
    local.register("cart.Cart", owner="user", fields=("user",), erasure=Erasure.DELETE)
    with pytest.raises(RegistryError):
        local.declare_no_personal_data("cart.Cart", reason="twice")


def test_the_user_model_is_erased_last():
    labels = [entry.label for entry in registry.entries()]
    assert labels[-1] == settings.AUTH_USER_MODEL
