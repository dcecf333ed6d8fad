"""Staff roles: the documented matrix is what the back office enforces, cell by cell, and
nobody can raise their own role."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse

from tridex.accounts.roles import ROLES
from tridex.accounts.services import roles_sync
from tridex.dashboard.permissions import matrix_markdown, permission_matrix

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


@pytest.fixture
def matrix(db):
    return permission_matrix()


def test_the_documented_matrix_is_current(matrix):
    assert DOC.read_text() == matrix_markdown(matrix), (
        "docs/permissions.md is out of date: run `tridex roles_matrix` and review the diff"
    )


def staff_in(django_user_model, code):
    roles_sync(reset=True)
    user = django_user_model.objects.create_user(
        email=f"{code}@example.com", password="a-long-password-1", is_staff=True
    )
    user.groups.set([Group.objects.get(name=ROLES[code].group_name)])
    return user


def admin_url(label, action):
    app_label, model = label.split(".")
    name = {"view": "changelist", "add": "add"}[action]
    return reverse(f"admin:{app_label}_{model}_{name}")


@pytest.mark.parametrize("code", list(ROLES))
def test_every_role_gets_exactly_its_cells(client, django_user_model, matrix, code):
    """Each list page and add page answers as the matrix says; so does each role's change
    and delete permission as the admin checks it on every object page."""
    client.force_login(staff_in(django_user_model, code))
    checked = 0
    for cell in matrix:
        if cell.action not in ("view", "add"):
            continue
        try:
            url = admin_url(cell.label, cell.action)
        except NoReverseMatch:
            continue
        status = client.get(url).status_code
        allowed = cell.allowed[code] or (
            cell.action == "view"
            and next(c for c in matrix if c.label == cell.label and c.action == "change").allowed[
                code
            ]
        )
        assert (status == 200) == allowed, (code, cell.label, cell.action, status)
        assert status in (200, 403), (code, cell.label, cell.action, status)
        checked += 1
    assert checked >= len(admin.site._registry)


def test_the_order_page_actions_follow_the_order_change_permission(
    client, django_user_model, matrix
):
    order_change = next(c for c in matrix if c.label == "orders.order" and c.action == "change")
    assert order_change.allowed["order_manager"] and not order_change.allowed["support_agent"]
    client.force_login(staff_in(django_user_model, "support_agent"))
    url = reverse("admin:orders_order_action", args=[1, "cancel"])
    assert client.post(url, {"reason": "x"}).status_code in (403, 404)


def test_a_staff_member_cannot_raise_their_own_role(client, django_user_model):
    manager = staff_in(django_user_model, "administrator")
    client.force_login(manager)
    url = reverse("admin:accounts_user_change", args=[manager.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    assert {"is_superuser", "groups", "user_permissions", "is_staff"} <= set(
        page.context["adminform"].readonly_fields
    )
    assert "is_superuser" not in form.fields
    owner = Group.objects.get(name="Owner")
    client.post(url, {"email": manager.email, "groups": [owner.pk], "is_superuser": "on"})
    manager.refresh_from_db()
    assert not manager.is_superuser
    assert list(manager.groups.values_list("name", flat=True)) == ["Administrator"]


def test_nobody_grants_a_role_that_allows_more_than_they_may_do(client, django_user_model):
    manager = staff_in(django_user_model, "administrator")
    other = django_user_model.objects.create_user(
        email="new@example.com", password="a-long-password-1", is_staff=True
    )
    client.force_login(manager)
    url = reverse("admin:accounts_user_change", args=[other.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {n: form[n].value() for n in form.fields if form[n].value() is not None}
    data.pop("password", None)
    for key in ("last_login", "date_joined"):
        value = data.pop(key, None)
        if value:
            data[f"{key}_0"], data[f"{key}_1"] = f"{value:%Y-%m-%d}", f"{value:%H:%M:%S}"
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
    data.update({"is_staff": "on", "is_active": "on"})

    data["groups"] = [Group.objects.get(name="Owner").pk]  # Owners may edit roles; he may not
    response = client.post(url, data)
    assert response.status_code == 200
    assert "allows more than you may do" in response.content.decode()
    assert not other.groups.exists()

    data["groups"] = [Group.objects.get(name="Order manager").pk]
    assert client.post(url, data).status_code == 302
    assert list(other.groups.values_list("name", flat=True)) == ["Order manager"]
