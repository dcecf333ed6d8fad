"""Account deletion: asked with a fresh sign-in, cancellable during the grace period, then
erased by the daily job through the registry, one transaction per person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.privacy.conftest import PASSWORD, client_for, reauthenticated, signed_in
from tridex.accounts.models import Address, User
from tridex.audit.models import AuditEntry
from tridex.cart.models import Cart
from tridex.core.errors import Conflict, NotFound
from tridex.orders.models import Order, OrderLine
from tridex.privacy import services
from tridex.privacy.models import ConsentRecord, PrivacyRequest
from tridex.privacy.registry import Erasure, registry
from tridex.privacy.tasks import erase_due_accounts

Status = PrivacyRequest.Status


def past_grace(request: PrivacyRequest) -> None:
    PrivacyRequest.objects.filter(pk=request.pk).update(
        erase_after=timezone.now() - timedelta(minutes=1)
    )


def test_deleting_needs_a_fresh_sign_in(customer):
    client = client_for(customer)  # a session that did not just type the password
    assert client.get("/en/account/privacy/delete/").status_code == 200
    response = client.post("/en/account/privacy/delete/")
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    assert not PrivacyRequest.objects.filter(kind="erasure").exists()


def test_deleting_after_signing_in_schedules_it_after_the_grace_period(customer, settings):
    settings.TRIDEX_PRIVACY_DELETION_GRACE_DAYS = 30
    client = signed_in(customer)
    response = client.post("/en/account/privacy/delete/")
    assert not PrivacyRequest.objects.filter(kind="erasure").exists()
    answer = reauthenticated(client, response)
    # allauth replays the POST that asked for the password once it was given.
    client.get(answer["Location"], follow=True)
    request = PrivacyRequest.objects.get(kind="erasure", user=customer)
    assert request.status == Status.PENDING
    assert timedelta(days=29, hours=23) < request.erase_after - request.created_at
    assert request.due_at > request.erase_after
    assert b"will be deleted on" in client.get("/en/account/privacy/").content
    with pytest.raises(Conflict):
        services.erasure_request(user=customer)


def test_signing_in_during_the_grace_period_shows_it_and_it_can_be_cancelled(customer):
    services.erasure_request(user=customer)
    client = Client()
    response = client.post(
        "/en/account/login/", {"login": customer.email, "password": PASSWORD}, follow=True
    )
    assert b"Your account will be deleted on" in response.content
    client.post("/en/account/privacy/delete/cancel/")
    assert PrivacyRequest.objects.get(kind="erasure").status == Status.CANCELLED
    assert erase_due_accounts() == 0
    customer.refresh_from_db()
    assert customer.is_active and customer.email == "somchai@example.com"
    with pytest.raises(NotFound):
        services.erasure_cancel(user=customer)


def test_nothing_is_erased_before_the_grace_period_ends(customer):
    services.erasure_request(user=customer)
    assert erase_due_accounts() == 0
    assert Address.objects.filter(user=customer).exists()


def test_the_daily_job_erases_and_anonymises_through_the_registry(
    customer, other, place_order, market_th
):
    order = place_order(customer)
    others_order = place_order(other)
    services.consents_update(user=customer, choices={"marketing_email": True}, source="api")
    Cart.objects.create(user=customer, market=market_th)
    request = services.erasure_request(user=customer)
    past_grace(request)

    assert erase_due_accounts() == 1

    customer.refresh_from_db()
    assert not customer.is_active and not customer.has_usable_password()
    assert customer.email.endswith("@erased.invalid")
    assert (customer.first_name, customer.last_name, customer.phone) == ("", "", "")
    assert not Address.objects.filter(user=customer).exists()
    assert not Cart.objects.filter(user=customer).exists()
    assert not ConsentRecord.objects.filter(user=customer).exists()
    # The order is kept for the tax records, with nothing left that names the person.
    order.refresh_from_db()
    assert order.user_id is None and order.email == "" and order.phone == ""
    assert order.shipping_address == {"country": "TH"}
    assert order.total > 0 and OrderLine.objects.filter(order=order).exists()
    # Someone else's data is untouched.
    others_order.refresh_from_db()
    assert others_order.email == other.email and others_order.user_id == other.pk
    request.refresh_from_db()
    assert request.status == Status.COMPLETED
    entry = AuditEntry.objects.filter(object_id=str(request.pk), data__privacy="erased").get()
    assert entry.actor_label == "privacy erasure"


def test_an_erased_person_can_no_longer_sign_in(customer):
    request = services.erasure_request(user=customer)
    past_grace(request)
    erase_due_accounts()
    response = Client().post(
        "/en/account/login/", {"login": "somchai@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200  # the form again, with an error: no session
    assert "_auth_user_id" not in Client().session


def test_an_erased_persons_open_session_stops_working(customer):
    client = signed_in(customer)
    assert client.get("/en/account/privacy/").status_code == 200
    request = services.erasure_request(user=customer)
    services.erasure_execute(request_id=request.pk)
    response = client.get("/en/account/privacy/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_erasure_leaves_no_copy_of_the_session_in_the_store(customer):
    """With Redis, sessions are read through the cache (cached_db): the cached copy goes too."""
    from importlib import import_module

    from django.conf import settings

    client = signed_in(customer)
    session_key = client.session.session_key
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert store().exists(session_key)
    request = services.erasure_request(user=customer)
    services.erasure_execute(request_id=request.pk)
    assert not store().exists(session_key)


@pytest.fixture
def failing_entry():
    """A registry entry whose anonymisation breaks a database constraint (orders' total >= 0),
    after every other entry has already deleted or changed its rows."""
    order_entry = registry.entry("orders.Order")
    registry.unregister("orders.Order")
    registry.register(
        "orders.Order",
        owner="user",
        fields=order_entry.fields,
        erasure=Erasure.ANONYMISE,
        anonymised={**order_entry.anonymised, "total": -1},
        reason="broken on purpose",
    )
    yield
    registry.unregister("orders.Order")
    registry._entries[order_entry.label] = order_entry


def test_a_failure_leaves_nothing_half_erased_and_the_others_are_still_erased(
    customer, other, place_order, failing_entry
):
    place_order(customer)
    first = services.erasure_request(user=customer)
    second = services.erasure_request(user=other)  # no order: the broken entry finds nothing
    past_grace(first)
    past_grace(second)

    assert erase_due_accounts() == 1

    customer.refresh_from_db()
    assert customer.is_active and customer.email == "somchai@example.com"
    assert Address.objects.filter(user=customer).exists()
    assert Order.objects.get(user=customer).email == "somchai@example.com"
    first.refresh_from_db()
    assert first.status == Status.PENDING  # tried again tomorrow
    second.refresh_from_db()
    other.refresh_from_db()
    assert second.status == Status.COMPLETED and not other.is_active


def test_a_closed_request_cannot_be_executed_again(customer):
    request = services.erasure_request(user=customer)
    services.erasure_execute(request_id=request.pk)
    with pytest.raises(Conflict):
        services.erasure_execute(request_id=request.pk)
    assert User.objects.filter(pk=customer.pk, is_active=False).exists()


def test_erased_reviews_go_and_the_products_rating_follows(customer, other, make_product):
    from tridex.catalog.services import review_create

    product = make_product()
    review_create(product=product, rating=1, user=customer, body="Too small for my sofa")
    review_create(product=product, rating=5, user=other)
    product.refresh_from_db()
    assert product.rating_count == 2
    services.erasure_execute(request_id=services.erasure_request(user=customer).pk)
    product.refresh_from_db()
    assert (product.rating_count, product.rating_average) == (1, 5)
    assert not product.reviews.filter(body__contains="Too small").exists()


def test_erasure_cancels_the_persons_other_open_requests(customer):
    export = services.export_request(user=customer)
    request = services.erasure_request(user=customer)
    services.erasure_execute(request_id=request.pk)
    export.refresh_from_db()
    assert export.status == Status.CANCELLED
    from tridex.privacy.tasks import build_export

    assert build_export(export.pk) is False  # a late job builds and mails nothing
    assert not PrivacyRequest.objects.get(pk=export.pk).export_file
