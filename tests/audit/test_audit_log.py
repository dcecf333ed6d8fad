"""The audit log: every admin change with its before/after values, staff sign-ins, the hash
chain that shows tampering, and archiving instead of deleting."""

from __future__ import annotations

import gzip
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.conftest import totp_code, totp_secret_of
from tridex.audit.admin_site import AuditedAdmin
from tridex.audit.context import Actor
from tridex.audit.models import AppendOnly, AuditArchive, AuditEntry
from tridex.audit.services import audit_archive, audit_record, audit_verify
from tridex.catalog.models import Review
from tridex.inventory.models import Warehouse

A = AuditEntry.Action
HOOKS = ("changeform_view", "log_addition", "log_change", "log_deletions", "response_action")


def test_every_registered_admin_is_audited():
    """A model registered in the admin (by Tridex, Django or allauth) cannot be changed there
    without an audit entry: the audited hooks are the ones every admin class resolves to."""
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, AuditedAdmin), model._meta.label
        mro = type(model_admin).__mro__
        for hook in HOOKS:
            owner = next(cls for cls in mro if hook in cls.__dict__)
            assert mro.index(owner) <= mro.index(AuditedAdmin), (model._meta.label, hook)


def entries(**filters):
    return list(AuditEntry.objects.filter(**filters).order_by("id"))


def test_an_admin_change_records_actor_ip_browser_and_the_diff(admin_client, warehouse):
    url = reverse("admin:inventory_warehouse_change", args=[warehouse.pk])
    data = {"code": "bkk", "name": "Bangkok North", "country": "TH", "address": "", "is_active": ""}
    data["markets"] = [m.pk for m in warehouse.markets.all()][:1]
    response = admin_client.post(url, data, HTTP_USER_AGENT="Firefox/140", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    (entry,) = entries(action=A.UPDATE, object_type="inventory.warehouse")
    assert (entry.actor_label, entry.ip, entry.user_agent) == (
        "boss@example.com",
        "10.1.2.3",
        "Firefox/140",
    )
    assert entry.object_id == str(warehouse.pk) and entry.object_repr
    assert entry.changes["name"] == ["Bangkok", "Bangkok North"]
    assert entry.changes["is_active"] == [True, False]
    assert len(entry.changes["markets"][0]) == 2 and len(entry.changes["markets"][1]) == 1
    assert "updated_at" not in entry.changes


def test_admin_create_and_delete_are_recorded(admin_client, market_th):
    add = reverse("admin:inventory_warehouse_add")
    admin_client.post(add, {"code": "cnx", "name": "Chiang Mai", "country": "TH", "address": ""})
    made = Warehouse.objects.get(code="cnx")
    (created,) = entries(action=A.CREATE, object_id=str(made.pk))
    assert created.changes["name"] == [None, "Chiang Mai"]

    delete = reverse("admin:inventory_warehouse_delete", args=[made.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    (deleted,) = entries(action=A.DELETE, object_id=str(made.pk))
    assert deleted.changes["code"] == ["cnx", None]  # what was removed stays readable


def test_an_admin_action_records_what_it_changed(admin_client, make_product):
    product = make_product()
    review = Review.objects.create(product=product, rating=4, author_name="Nok", is_approved=False)
    changelist = reverse("admin:catalog_review_changelist")
    admin_client.post(changelist, {"action": "approve", ACTION_CHECKBOX_NAME: [review.pk]})
    (entry,) = entries(action=A.ACTION, object_type="catalog.review")
    assert entry.object_id == str(review.pk)
    assert entry.changes["is_approved"] == [False, True]
    assert entry.data == {"action": "approve"}


def test_role_changes_show_in_the_user_diff(admin_client, make_staff):
    from django.contrib.auth.models import Group

    staff = make_staff(email="nok@example.com")
    managers = Group.objects.create(name="Night shift")
    url = reverse("admin:accounts_user_change", args=[staff.pk])
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in ((n, form[n].value()) for n in form.fields)
        if value is not None
    }
    data.update({"groups": [managers.pk], "is_staff": "on", "is_active": "on"})
    data.pop("is_superuser", None)
    data["user_permissions"] = [p.pk for p in staff.user_permissions.all()]
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
    for key in ("last_login", "date_joined"):
        value = data.pop(key, None)
        if value:
            data[f"{key}_0"], data[f"{key}_1"] = f"{value:%Y-%m-%d}", f"{value:%H:%M:%S}"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    (entry,) = entries(action=A.UPDATE, object_type="accounts.user")
    assert entry.changes["groups"] == [[], [managers.pk]]
    assert not any("password" in name for name in entry.changes)


def test_staff_sign_ins_and_failed_sign_ins_are_recorded(client, make_staff, django_user_model):
    from allauth.account.models import EmailAddress

    staff = make_staff(email="nok@example.com")
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    django_user_model.objects.create_user(email="buyer@example.com", password="x-long-pass-1")
    login = reverse("account_login")
    client.post(login, {"login": "nok@example.com", "password": "wrong"}, REMOTE_ADDR="10.9.9.9")
    client.post(login, {"login": "buyer@example.com", "password": "wrong"})
    client.post(login, {"login": "nok@example.com", "password": "a-long-password-1"})
    (failed,) = entries(action=A.LOGIN_FAILED)
    assert (failed.object_id, failed.ip, failed.actor_id) == (str(staff.pk), "10.9.9.9", None)
    assert not entries(action=A.LOGIN)  # staff are signed in only after their second factor
    client.post(reverse("mfa_authenticate"), {"code": totp_code(totp_secret_of(staff))})
    (signed_in,) = entries(action=A.LOGIN)
    assert signed_in.actor_id == staff.pk
    client.post(reverse("account_logout"))
    assert entries(action=A.LOGOUT)[0].actor_id == staff.pk


def test_a_refund_from_the_order_page_is_recorded(admin_client, commerce, make_product):
    from tests.checkout.conftest import details
    from tridex.cart.services import cart_add, cart_get_or_create
    from tridex.checkout.services import checkout_place_order
    from tridex.payments.services import payment_confirm

    market = commerce["th"]
    cart = cart_get_or_create(market=market)
    cart_add(cart=cart, variant_id=make_product(price="1290").variants.get().pk, quantity=1)
    placed = checkout_place_order(cart=cart, market=market, details=details())
    payment_confirm(payment=placed.payment, actor="staff")
    url = reverse("admin:orders_order_action", args=[placed.order.pk, "refund"])
    admin_client.post(url, {"amount": "100", "reason": "late"})
    (entry,) = entries(action=A.REFUND)
    assert entry.actor_label == "boss@example.com"
    assert entry.changes["refunded_amount"] == ["0.0000", "100.0000"]
    assert entry.changes["refund_status"] == ["none", "partial"]
    assert entry.data["action"] == "refund" and entry.data["reason"] == "late"


# --- The chain -----------------------------------------------------------------------------


def some_entries(n=3):
    return [
        audit_record(action=A.ACTION, object_repr=f"thing {i}", actor=Actor(label="cli"))
        for i in range(n)
    ]


def test_entries_are_append_only(db):
    (entry,) = some_entries(1)
    entry.object_repr = "changed"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="changed")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.all().delete()


def tamper(sql, *params):
    """What someone with database access could do behind Tridex's back."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_chain_names_the_first_changed_entry(db):
    _first, second, _third = some_entries()
    assert audit_verify().ok and audit_verify().checked == 3
    tamper("UPDATE audit_auditentry SET object_repr = 'nothing' WHERE id = %s", second.pk)
    report = audit_verify()
    assert (report.ok, report.broken_id) == (False, second.pk)
    assert report.reason == "was changed after it was written"
    with pytest.raises(CommandError, match=f"entry #{second.pk}"):
        call_command("audit_verify")


def test_the_chain_names_the_entry_after_a_removed_one(db):
    _first, second, third = some_entries()
    tamper("DELETE FROM audit_auditentry WHERE id = %s", second.pk)
    report = audit_verify()
    assert (report.broken_id, report.reason) == (third.pk, "does not follow the entry before it")


def test_removing_the_newest_entry_is_noticed(db):
    *_, last = some_entries()
    tamper("DELETE FROM audit_auditentry WHERE id = %s", last.pk)
    assert audit_verify().reason == "the newest entries are missing"


def test_old_entries_are_archived_to_a_file_and_the_chain_goes_on(db, settings, tmp_path):
    settings.TRIDEX_AUDIT_ARCHIVE_DIR = tmp_path
    settings.TRIDEX_AUDIT_RETENTION_DAYS = 30
    old = some_entries(2)
    later = timezone.now() + timedelta(days=31)
    archive = audit_archive(now=later)
    assert archive is not None and archive.count == 2
    assert not AuditEntry.objects.exists()
    with gzip.open(Path(archive.path), "rt") as handle:
        lines = handle.read().splitlines()
    assert [json.loads(line)["hash"] for line in lines] == [e.hash for e in old]

    some_entries(1)
    assert audit_verify().ok
    call_command("audit_verify")
    assert audit_archive(now=timezone.now()) is None  # nothing is old enough yet

    Path(archive.path).write_bytes(b"forged")
    with pytest.raises(CommandError, match="was changed"):
        call_command("audit_verify")
    assert AuditArchive.objects.count() == 1
