"""Consents: every grant and withdrawal recorded with time, source and notice version; the
cookie banner sets no analytics cookie and keeps the analytics hook off until consent."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.privacy.conftest import client_for
from tridex.core.errors import ValidationFailed
from tridex.privacy import selectors, services
from tridex.privacy.models import ConsentChanged, ConsentRecord

# Cookies the shop sets without asking: they only make the shop work.
NECESSARY_COOKIES = {"sessionid", "csrftoken", "django_language", "tridex_consent", "messages"}


@pytest.fixture
def shop(commerce, make_product):
    make_product()


def test_consent_history_is_append_only_with_source_and_notice_version(customer, settings):
    settings.TRIDEX_PRIVACY_NOTICE_VERSION = "v7"
    services.consents_update(user=customer, choices={"marketing_email": True}, source="api")
    services.consents_update(
        user=customer, choices={"marketing_email": False}, source="account_page"
    )
    records = list(ConsentRecord.objects.filter(user=customer).order_by("at", "id"))
    assert [(r.granted, r.source, r.notice_version) for r in records] == [
        (True, "api", "v7"),
        (False, "account_page", "v7"),
    ]
    assert selectors.consent_state(user=customer)["marketing_email"] is False
    record = records[0]
    record.granted = False
    with pytest.raises(ConsentChanged):
        record.save()


def test_an_unchanged_choice_is_not_recorded_again_until_the_notice_changes(customer, settings):
    services.consents_update(user=customer, choices={"push_notifications": True}, source="api")
    assert (
        services.consents_update(user=customer, choices={"push_notifications": True}, source="api")
        == []
    )
    settings.TRIDEX_PRIVACY_NOTICE_VERSION = "next"
    assert (
        len(
            services.consents_update(
                user=customer, choices={"push_notifications": True}, source="api"
            )
        )
        == 1
    )


def test_bad_consent_input_is_refused(customer):
    with pytest.raises(ValidationFailed):
        services.consents_update(user=customer, choices={"sell_my_data": True}, source="api")
    with pytest.raises(ValidationFailed):
        services.consent_record(
            purpose="push_notifications", granted=True, source="fax", user=customer
        )
    with pytest.raises(ValidationFailed):
        services.consent_record(purpose="push_notifications", granted=True, source="api")
    assert not ConsentRecord.objects.exists()


def test_the_account_page_manages_consents(customer):
    client = client_for(customer)
    page = client.get("/en/account/privacy/")
    assert page.status_code == 200
    assert b'href="/en/account/privacy/"' in page.content  # the account nav links to it
    response = client.post(
        "/en/account/privacy/", {"marketing_email": "on", "analytics_cookies": "on"}
    )
    assert response.status_code == 302
    assert selectors.consent_state(user=customer) == {
        "marketing_email": True,
        "push_notifications": False,
        "analytics_cookies": True,
    }
    assert {r.source for r in ConsentRecord.objects.filter(user=customer)} == {"account_page"}
    # This browser follows the analytics choice at once.
    assert client.get("/en/account/privacy/").context["analytics_allowed"] is True
    client.post("/en/account/privacy/", {"marketing_email": "on"})
    assert client.get("/en/account/privacy/").context["analytics_allowed"] is False


def test_no_analytics_cookie_and_no_analytics_hook_before_consent(shop):
    client = Client()
    response = client.get("/en/")
    assert response.status_code == 200
    assert response.context["analytics_allowed"] is False
    assert response.context["show_cookie_banner"] is True
    assert b'action="/en/privacy/cookies/"' in response.content
    assert set(client.cookies) <= NECESSARY_COOKIES - {"tridex_consent"}


def test_accepting_all_turns_analytics_on_and_hides_the_banner(shop):
    client = Client()
    client.get("/en/")
    response = client.post("/en/privacy/cookies/", {"choice": "all", "next": "/en/"})
    assert response.status_code == 302 and response["Location"] == "/en/"
    assert set(client.cookies) <= NECESSARY_COOKIES
    page = client.get("/en/")
    assert page.context["analytics_allowed"] is True
    assert page.context["show_cookie_banner"] is False
    assert b'action="/en/privacy/cookies/"' not in page.content
    record = ConsentRecord.objects.get()
    assert (record.purpose, record.granted, record.source) == (
        "analytics_cookies",
        True,
        "cookie_banner",
    )
    assert record.user is None and record.visitor_id


def test_necessary_only_keeps_analytics_off_and_is_recorded(shop, customer):
    client = client_for(customer)
    client.post("/en/privacy/cookies/", {"choice": "necessary", "next": "https://evil.example/"})
    page = client.get("/en/")
    assert page.context["analytics_allowed"] is False
    assert page.context["show_cookie_banner"] is False
    record = ConsentRecord.objects.get()
    assert record.user == customer and record.granted is False


def test_the_banner_answer_goes_only_to_this_site(shop):
    response = Client().post(
        "/en/privacy/cookies/", {"choice": "all", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/en/"


def test_a_forged_or_outdated_consent_cookie_counts_as_no_answer(shop, settings):
    client = Client()
    client.cookies["tridex_consent"] = "all:2026-12:abc"  # not signed by the shop
    assert client.get("/en/").context["analytics_allowed"] is False
    client = Client()
    client.post("/en/privacy/cookies/", {"choice": "all", "next": "/en/"})
    settings.TRIDEX_PRIVACY_NOTICE_VERSION = "a-new-notice"
    page = client.get("/en/")
    assert page.context["analytics_allowed"] is False and page.context["show_cookie_banner"]


def test_an_unknown_banner_choice_records_nothing(shop):
    response = Client().post("/en/privacy/cookies/", {"choice": "everything", "next": "/en/"})
    assert response.status_code == 302
    assert not ConsentRecord.objects.exists()


def test_signup_records_the_marketing_choice(db):
    client = Client()
    client.post(
        "/en/account/signup/",
        {
            "email": "new@example.com",
            "password1": "Sofa-cover-2026",
            "password2": "Sofa-cover-2026",
            "marketing_email": "on",
        },
    )
    record = ConsentRecord.objects.get()
    assert (record.purpose, record.granted, record.source) == ("marketing_email", True, "signup")
    assert record.user.email == "new@example.com"


def test_the_privacy_notice_is_in_thai_and_english(db):
    english = Client().get("/en/privacy/")
    thai = Client().get("/th/privacy/")
    assert english.status_code == thai.status_code == 200
    assert b"Privacy notice" in english.content
    assert "ประกาศความเป็นส่วนตัว" in thai.content.decode()


def test_the_page_cache_keeps_answered_and_unanswered_visitors_apart(shop, page_cache_on):
    from tridex.core.response_cache import CACHE_HEADER

    banner = b'action="/en/privacy/cookies/"'
    assert banner in Client().get("/en/").content  # fills the cache for unanswered visitors
    answered = Client()
    answered.post("/en/privacy/cookies/", {"choice": "all", "next": "/en/"})
    page = answered.get("/en/")
    assert page[CACHE_HEADER] == "miss" and banner not in page.content
    again = Client().get("/en/")
    assert again[CACHE_HEADER] == "hit" and banner in again.content
