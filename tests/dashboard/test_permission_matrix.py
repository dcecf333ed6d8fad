"""Staff roles: the documented matrix is what the back office and the staff API enforce, cell
by cell, and nobody can raise their own role."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse

from tests.conftest import admin_user_page_data
from tridex.accounts.roles import ROLES
from tridex.accounts.services import roles_sync
from tridex.api.api import api
from tridex.api.staff_access import STAFF_PREFIX, api_operations
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
    for cell in matrix.pages:
        if cell.action not in ("view", "add"):
            continue
        try:
            url = admin_url(cell.label, cell.action)
        except NoReverseMatch:
            continue
        status = client.get(url).status_code
        allowed = cell.allowed[code] or (
            cell.action == "view"
            and next(
                c for c in matrix.pages if c.label == cell.label and c.action == "change"
            ).allowed[code]
        )
        assert (status == 200) == allowed, (code, cell.label, cell.action, status)
        assert status in (200, 403), (code, cell.label, cell.action, status)
        checked += 1
    assert checked >= len(admin.site._registry)


def test_the_order_page_actions_follow_the_order_change_permission(
    client, django_user_model, matrix
):
    order_change = next(
        c for c in matrix.pages if c.label == "orders.order" and c.action == "change"
    )
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
    data = admin_user_page_data(client.get(url))

    data["groups"] = [Group.objects.get(name="Owner").pk]  # Owners may edit roles; he may not
    response = client.post(url, data)
    assert response.status_code == 200
    assert "allows more than you may do" in response.content.decode()
    assert not other.groups.exists()

    data["groups"] = [Group.objects.get(name="Order manager").pk]
    assert client.post(url, data).status_code == 302
    assert list(other.groups.values_list("name", flat=True)) == ["Order manager"]


# --- The staff API -----------------------------------------------------------------------------

# A value for each path parameter: well-formed, naming nothing that exists, so an allowed call
# answers 404 or 422 and changes nothing, and a refused one answers 403 before anything is read.
SAMPLE_PARAMS = {
    "number": "000000",
    "product_id": "999999",
    "variant_id": "999999",
    "user_id": "999999",
    "market": "th",
}


def staff_operations():
    return [op for op in api_operations(api) if op.path.startswith(STAFF_PREFIX)]


def call(client, method, path):
    url = "/api/v1" + path.format(**SAMPLE_PARAMS)
    return client.generic(method, url, "{}", content_type="application/json")


def test_every_staff_api_operation_has_a_row_and_a_permission(matrix):
    """A new staff endpoint fails here until it declares its permission and the docs list it."""
    offered = {(op.method, op.path) for op in staff_operations()}
    documented = {(cell.action.method, cell.action.path) for cell in matrix.api}
    assert offered and offered == documented
    for cell in matrix.api:
        assert cell.action.permission, f"{cell.action.operation_id} declares no permission"
        assert cell.allowed["owner"], cell.action.operation_id


@pytest.mark.parametrize("code", list(ROLES))
def test_every_role_gets_exactly_its_api_cells(client, django_user_model, matrix, code):
    client.force_login(staff_in(django_user_model, code))
    for cell in matrix.api:
        response = call(client, cell.action.method, cell.action.path)
        where = (code, cell.action.operation_id, response.status_code, response.content[:200])
        if cell.allowed[code]:
            assert response.status_code in (200, 404, 409, 422), where
        else:
            assert response.status_code == 403, where
            assert response.json()["code"] == "permission_denied", where
    assert len(matrix.api) == len(staff_operations())


def test_nobody_but_staff_reaches_any_staff_operation(client, django_user_model):
    for op in staff_operations():
        assert call(client, op.method, op.path).status_code == 401, op.operation_id
    customer = django_user_model.objects.create_user(email="c@example.com", password="x-long-1")
    client.force_login(customer)
    for op in staff_operations():
        response = call(client, op.method, op.path)
        assert response.status_code == 403, op.operation_id
        assert response.json()["code"] == "staff_only", op.operation_id
