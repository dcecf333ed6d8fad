"""Consents over the API: recorded with source "api"; guests and bad tokens are refused."""

from __future__ import annotations

from django.test import Client

from tests.privacy.conftest import PASSWORD
from tridex.privacy.models import ConsentRecord


def session_headers(client: Client, user) -> dict[str, str]:
    response = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": user.email, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return {"X-Session-Token": response.json()["meta"]["session_token"]}


def test_customer_reads_and_changes_consents(client, customer, settings):
    settings.TRIDEX_PRIVACY_NOTICE_VERSION = "v9"
    headers = session_headers(client, customer)
    body = client.get("/api/v1/me/consents", headers=headers).json()
    assert body["notice_version"] == "v9"
    assert {c["purpose"]: c["granted"] for c in body["consents"]} == {
        "marketing_email": False,
        "push_notifications": False,
        "analytics_cookies": False,
    }
    response = client.put(
        "/api/v1/me/consents",
        {"push_notifications": True},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200
    push = next(c for c in response.json()["consents"] if c["purpose"] == "push_notifications")
    assert push["granted"] is True and push["notice_version"] == "v9"
    record = ConsentRecord.objects.get()
    assert (record.user, record.source, record.purpose) == (customer, "api", "push_notifications")


def test_guests_and_bad_tokens_are_refused(client, customer):
    assert client.get("/api/v1/me/consents").status_code == 401
    bad = {"X-Session-Token": "nonsense"}
    assert (
        client.put(
            "/api/v1/me/consents",
            {"marketing_email": True},
            content_type="application/json",
            headers=bad,
        ).status_code
        == 401
    )
    assert not ConsentRecord.objects.exists()


def test_a_bad_value_is_a_clean_422(client, customer):
    headers = session_headers(client, customer)
    response = client.put(
        "/api/v1/me/consents",
        {"marketing_email": "perhaps"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    assert not ConsentRecord.objects.exists()
