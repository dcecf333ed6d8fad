"""Self-service export: built by the real task, emailed as a link that only its owner can use,
once, before it expires; and the attacks on that link."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.utils import timezone

from tests.privacy.conftest import client_for
from tridex.audit.models import AuditEntry
from tridex.core.errors import Conflict, NotFound
from tridex.privacy import services
from tridex.privacy.models import PrivacyRequest
from tridex.privacy.storage import export_storage
from tridex.privacy.tasks import build_export, purge_expired_exports

Status = PrivacyRequest.Status


def request_export(client, django_capture_on_commit_callbacks) -> PrivacyRequest:
    """Ask on the privacy page; the queued task runs in-process (eager_celery)."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/account/privacy/export/")
    assert response.status_code == 302
    return PrivacyRequest.objects.filter(kind="export").latest("pk")


def emailed_path() -> str:
    match = re.search(
        r"https://shop\.example(/en/account/privacy/export/\S+/)", mail.outbox[-1].body
    )
    assert match, mail.outbox[-1].body
    return match.group(1)


@pytest.fixture
def built(customer, place_order, eager_celery, django_capture_on_commit_callbacks):
    place_order(customer)
    client = client_for(customer)
    export = request_export(client, django_capture_on_commit_callbacks)
    return client, export


def test_export_is_built_by_the_task_and_emailed(built, customer):
    client, export = built
    export.refresh_from_db()
    assert export.status == Status.COMPLETED
    assert export.export_file and export_storage().exists(export.export_file)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [customer.email]
    response = client.get(emailed_path())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    assert {"manifest.json", "json/accounts-user.json", "csv/accounts-user.csv"} <= names
    user_rows = json.loads(archive.read("json/accounts-user.json"))
    assert user_rows[0]["email"] == customer.email
    assert "password" not in user_rows[0]
    orders = json.loads(archive.read("json/orders-order.json"))
    assert len(orders) == 1 and orders[0]["email"] == customer.email
    assert "token" not in orders[0]
    addresses = archive.read("csv/accounts-address.csv").decode()
    assert "Somchai Jaidee" in addresses
    manifest = json.loads(archive.read("manifest.json"))
    kept = {f["model"]: f["on_erasure"] for f in manifest["files"]}
    assert kept["orders.Order"] == "anonymise" and kept["accounts.Address"] == "delete"


def test_export_holds_nothing_of_anyone_else(built, other, place_order):
    place_order(other)
    client, _export = built
    body = b"".join(client.get(emailed_path()).streaming_content)
    archive = zipfile.ZipFile(io.BytesIO(body))
    text = "".join(archive.read(name).decode() for name in archive.namelist())
    assert other.email not in text


def test_the_task_is_idempotent(built):
    _client, export = built
    assert build_export(export.pk) is False  # built and mailed already: nothing happens twice
    export.refresh_from_db()
    assert len(mail.outbox) == 1
    assert len(list(export_storage().listdir(str(export.user_id))[1])) == 1


def test_a_replayed_link_is_refused(built):
    client, _export = built
    path = emailed_path()
    assert client.get(path).status_code == 200
    again = client.get(path)
    assert again.status_code == 410
    assert b"already been used" in again.content


def test_an_expired_link_is_refused(built, settings):
    client, export = built
    PrivacyRequest.objects.filter(pk=export.pk).update(
        export_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert client.get(emailed_path()).status_code == 410


def test_a_link_past_its_signature_age_is_refused(built, settings):
    client, _export = built
    path = emailed_path()
    settings.TRIDEX_PRIVACY_EXPORT_HOURS = 0  # the signature itself is now too old
    assert client.get(path).status_code == 410


def test_another_customers_link_is_refused(built, other):
    _client, _export = built
    response = client_for(other).get(emailed_path())
    assert response.status_code == 404


def test_a_signed_out_visitor_is_sent_to_sign_in(built, client):
    response = client.get(emailed_path())
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_tampered_token_is_refused(built):
    client, export = built
    path = emailed_path()
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert client.get(path.replace(token, token[:-2] + "xx")).status_code == 404
    # A correctly signed token with a guessed nonce (the secret is not the signature alone).
    forged = signing.dumps({"r": export.pk, "n": "guess"}, salt="not-the-salt")
    assert client.get(f"/en/account/privacy/export/{forged}/").status_code == 404


def test_export_links_for_other_ids_are_refused(built, other, django_capture_on_commit_callbacks):
    """A customer tries export ids one by one with a well-formed but unsigned token."""
    client, export = built
    other_export = request_export(client_for(other), django_capture_on_commit_callbacks)
    for request_id in range(1, other_export.pk + 3):
        forged = signing.dumps({"r": request_id, "n": ""}, salt="x")
        assert client.get(f"/en/account/privacy/export/{forged}/").status_code == 404
    with pytest.raises(NotFound):
        services.export_claim(user=export.user, token=services.export_token(other_export))


def test_a_second_export_while_one_is_pending_is_refused(customer):
    services.export_request(user=customer)
    with pytest.raises(Conflict):
        services.export_request(user=customer)
    assert PrivacyRequest.objects.filter(user=customer, kind="export").count() == 1


def test_expired_exports_are_purged(built, django_capture_on_commit_callbacks):
    _client, export = built
    PrivacyRequest.objects.filter(pk=export.pk).update(
        export_expires_at=timezone.now() - timedelta(hours=1)
    )
    name = PrivacyRequest.objects.get(pk=export.pk).export_file
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_expired_exports() == 1
    export.refresh_from_db()
    assert export.export_file == ""
    assert not export_storage().exists(name)


def test_export_steps_are_audited(built):
    client, export = built
    client.get(emailed_path())
    events = [
        e.data.get("privacy")
        for e in AuditEntry.objects.filter(
            object_type="privacy.privacyrequest", object_id=str(export.pk)
        )
    ]
    assert {"export_requested", "export_built", "export_downloaded"} <= set(events)


def test_customers_cannot_see_each_others_requests(built, other):
    """Request pages tried id by id: only one's own answer."""
    _client, export = built
    mine = PrivacyRequest.objects.create(
        user=other, kind="access", due_at=timezone.now() + timedelta(days=30)
    )
    other_client = client_for(other)
    for request_id in range(1, mine.pk + 3):
        status = other_client.get(f"/en/account/privacy/requests/{request_id}/").status_code
        assert status == (200 if request_id == mine.pk else 404), request_id
    page = other_client.get("/en/account/privacy/").content.decode()
    assert f"/requests/{export.pk}/" not in page


def test_export_leaves_out_the_staff_who_handled_the_order(
    customer, place_order, eager_celery, django_capture_on_commit_callbacks
):
    from tridex.orders.models import OrderEvent

    order = place_order(customer)
    OrderEvent.objects.create(order=order, kind="note", code="note", actor="boss@example.com")
    client = client_for(customer)
    request_export(client, django_capture_on_commit_callbacks)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(client.get(emailed_path()).streaming_content)))
    events = json.loads(archive.read("json/orders-orderevent.json"))
    assert events and all("actor" not in event for event in events)
    text = "".join(archive.read(name).decode() for name in archive.namelist())
    assert "boss@example.com" not in text


def test_export_lists_factors_and_sessions_but_never_their_secrets(
    customer, eager_celery, django_capture_on_commit_callbacks
):
    from allauth.mfa.models import Authenticator

    from tests.conftest import enrol_totp
    from tridex.accounts.models import LoginEvent

    secret = enrol_totp(customer)
    LoginEvent.objects.create(
        user=customer, at=timezone.now(), succeeded=False, ip="203.0.113.9", fingerprint="x"
    )
    client = client_for(customer)
    request_export(client, django_capture_on_commit_callbacks)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(client.get(emailed_path()).streaming_content)))
    factors = json.loads(archive.read("json/mfa-authenticator.json"))
    assert {f["type"] for f in factors} == {
        Authenticator.Type.TOTP,
        Authenticator.Type.RECOVERY_CODES,
    }
    assert all("data" not in factor for factor in factors)
    history = json.loads(archive.read("json/accounts-loginevent.json"))
    assert history[0]["ip"] == "203.0.113.9"
    text = "".join(archive.read(name).decode() for name in archive.namelist())
    assert secret not in text
