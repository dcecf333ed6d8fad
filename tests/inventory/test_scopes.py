"""Warehouse scopes: staff assigned to some warehouses see and change only their stock in the
admin (lists, object pages, choices) as in the API, and an Owner assigns scopes on the user
page; nobody changes their own scope or grants a warehouse beyond their own."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.conftest import admin_user_page_data
from tridex.accounts.models import User
from tridex.accounts.roles import ROLES
from tridex.accounts.services import roles_sync
from tridex.audit.models import AuditEntry
from tridex.core.errors import Forbidden, ValidationFailed
from tridex.inventory.models import Stock, StockMovement, Warehouse, WarehouseAssignment
from tridex.inventory.selectors import in_scope, warehouse_scope, warehouses_for
from tridex.inventory.services import stock_set, warehouse_scope_set

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def staff(code: str, email: str) -> User:
    roles_sync()
    user = User.objects.create_user(email=email, password="a-long-password-1", is_staff=True)
    user.groups.set([Group.objects.get(name=ROLES[code].group_name)])
    return User.objects.get(pk=user.pk)


@pytest.fixture
def two_warehouses(make_product, warehouse):
    """Bangkok (from conftest) and Chiang Mai, each holding the same variant."""
    chiang_mai = Warehouse.objects.create(code="cnx", name="Chiang Mai")
    variant = make_product(stock=5).variants.get()
    stock_set(variant=variant, warehouse=chiang_mai, quantity=9)
    return warehouse, chiang_mai, variant


@pytest.fixture
def owner():
    return staff("owner", "owner@example.com")


@pytest.fixture
def packer(owner, two_warehouses):
    """Warehouse staff working in Chiang Mai only."""
    user = staff("warehouse_staff", "packer@example.com")
    warehouse_scope_set(granter=owner, user=user, warehouse_ids=[two_warehouses[1].pk])
    return User.objects.get(pk=user.pk)


# --- The rule, in one place ------------------------------------------------------------------


def test_scope_is_every_warehouse_until_assigned(two_warehouses, owner, packer):
    bangkok, chiang_mai, _variant = two_warehouses
    assert warehouse_scope(owner) is None
    assert set(warehouses_for(owner)) == {bangkok, chiang_mai}
    assert list(warehouses_for(packer)) == [chiang_mai]
    assert in_scope(packer, chiang_mai.pk) and not in_scope(packer, bangkok.pk)
    superuser = User.objects.create_superuser(email="root@example.com", password="x-long-pass-1")
    WarehouseAssignment.objects.create(user=superuser, warehouse=chiang_mai)
    assert warehouse_scope(superuser) is None  # a superuser is never scoped


def test_the_scope_is_read_once_per_request(packer):
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            warehouse_scope(packer)
    assert len(queries) == 1


def test_scope_rules(two_warehouses, owner, packer):
    bangkok, chiang_mai, _variant = two_warehouses
    with pytest.raises(Forbidden) as own:
        warehouse_scope_set(granter=packer, user=packer, warehouse_ids=[bangkok.pk])
    assert own.value.code == "own_scope"
    lead = staff("administrator", "lead@example.com")
    warehouse_scope_set(granter=owner, user=lead, warehouse_ids=[chiang_mai.pk])
    lead = User.objects.get(pk=lead.pk)
    newcomer = staff("warehouse_staff", "new@example.com")
    for ids in ([bangkok.pk], [bangkok.pk, chiang_mai.pk], []):
        with pytest.raises(Forbidden):
            warehouse_scope_set(granter=lead, user=newcomer, warehouse_ids=ids)
    warehouse_scope_set(granter=lead, user=newcomer, warehouse_ids=[chiang_mai.pk])
    assert list(warehouses_for(User.objects.get(pk=newcomer.pk))) == [chiang_mai]
    with pytest.raises(ValidationFailed):
        warehouse_scope_set(granter=owner, user=newcomer, warehouse_ids=[999_999])
    assert list(
        WarehouseAssignment.objects.filter(user=newcomer).values_list("warehouse", flat=True)
    ) == [chiang_mai.pk]
    # Unscoping (every warehouse) is for unscoped granters.
    warehouse_scope_set(granter=owner, user=newcomer, warehouse_ids=[])
    assert warehouse_scope(User.objects.get(pk=newcomer.pk)) is None


# --- The admin ---------------------------------------------------------------------------------


def test_the_stock_admin_shows_and_changes_only_the_scoped_warehouses(
    client, two_warehouses, packer
):
    bangkok, chiang_mai, variant = two_warehouses
    client.force_login(packer)
    listed = client.get(reverse("admin:inventory_stock_changelist"))
    assert listed.status_code == 200
    assert {s.warehouse for s in listed.context["cl"].result_list} == {chiang_mai}

    theirs = Stock.objects.get(variant=variant, warehouse=chiang_mai)
    other = Stock.objects.get(variant=variant, warehouse=bangkok)
    assert client.get(reverse("admin:inventory_stock_change", args=[theirs.pk])).status_code == 200
    outside = client.get(reverse("admin:inventory_stock_change", args=[other.pk]))
    assert outside.status_code == 302  # the admin's answer for an object it cannot find
    client.post(reverse("admin:inventory_stock_change", args=[other.pk]), {"quantity": 0})
    assert Stock.objects.get(pk=other.pk).quantity == 5

    packer.user_permissions.add(Permission.objects.get(codename="add_stock"))
    client.force_login(User.objects.get(pk=packer.pk))
    add = client.get(reverse("admin:inventory_stock_add"))
    assert list(add.context["adminform"].form.fields["warehouse"].queryset) == [chiang_mai]
    movements = client.get(reverse("admin:inventory_stockmovement_changelist"))
    assert {m.stock.warehouse for m in movements.context["cl"].result_list} == {chiang_mai}
    warehouses = client.get(reverse("admin:inventory_warehouse_changelist"))
    assert list(warehouses.context["cl"].result_list) == [chiang_mai]


def test_the_variant_page_shows_only_the_scoped_stock(client, two_warehouses, packer):
    _bangkok, chiang_mai, variant = two_warehouses
    packer.user_permissions.add(Permission.objects.get(codename="change_variant"))
    client.force_login(User.objects.get(pk=packer.pk))
    page = client.get(reverse("admin:catalog_variant_change", args=[variant.pk]))
    assert page.status_code == 200
    stock_formset = next(
        f.formset for f in page.context["inline_admin_formsets"] if f.formset.model is Stock
    )
    assert [form.instance.warehouse for form in stock_formset.forms] == [chiang_mai]


def assign_in_admin(client, user, warehouse):
    url = reverse("admin:accounts_user_change", args=[user.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = admin_user_page_data(page)
    data["warehouse_assignments-TOTAL_FORMS"] = "1"
    data["warehouse_assignments-0-warehouse"] = str(warehouse.pk)
    data["warehouse_assignments-0-user"] = str(user.pk)
    return client.post(url, data)


def test_an_owner_assigns_warehouses_on_the_user_page(client, two_warehouses, owner):
    _bangkok, chiang_mai, _variant = two_warehouses
    newcomer = staff("warehouse_staff", "new@example.com")
    client.force_login(owner)
    response = assign_in_admin(client, newcomer, chiang_mai)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert list(warehouses_for(User.objects.get(pk=newcomer.pk))) == [chiang_mai]
    entry = AuditEntry.objects.get(object_type="inventory.warehouseassignment")
    assert entry.changes["warehouse_id"] == [None, chiang_mai.pk]


def test_the_user_page_refuses_a_scope_beyond_the_granters_own(client, two_warehouses, owner):
    bangkok, chiang_mai, _variant = two_warehouses
    lead = staff("administrator", "lead@example.com")
    warehouse_scope_set(granter=owner, user=lead, warehouse_ids=[chiang_mai.pk])
    newcomer = staff("warehouse_staff", "new@example.com")
    client.force_login(User.objects.get(pk=lead.pk))

    beyond = assign_in_admin(client, newcomer, bangkok)
    assert beyond.status_code == 200  # the page again, with the error
    assert not WarehouseAssignment.objects.filter(user=newcomer).exists()
    own = assign_in_admin(client, lead, bangkok)
    assert own.status_code == 200
    assert list(
        WarehouseAssignment.objects.filter(user=lead).values_list("warehouse", flat=True)
    ) == [chiang_mai.pk]

    assert assign_in_admin(client, newcomer, chiang_mai).status_code == 302
    assert list(warehouses_for(User.objects.get(pk=newcomer.pk))) == [chiang_mai]
    assert StockMovement.objects.exists()  # the fixture's stock is untouched by any of this
