"""Sessions and devices in a real browser: signed in on a phone and a computer, the computer
ends the phone's session and the phone is signed out on its next page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_checkout import phone, sign_in, user  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)


def test_ending_the_phones_session_from_the_computer(browser, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user("nok@example.com")
    base = f"{live_server.url}/en"
    handset = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, user_agent=IPHONE
    ).new_page()
    computer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(handset, f"{base}/account/login/", "nok@example.com")
    sign_in(computer, f"{base}/account/login/", "nok@example.com")

    computer.goto(f"{base}/account/sessions/")
    cards = computer.locator(".session-card")
    expect(cards).to_have_count(2)
    expect(cards.filter(has_text="This device")).to_have_count(1)
    phone_card = cards.filter(has_text="Mobile Safari 17.4 on iOS 17.4")
    expect(phone_card).to_contain_text("Local network")
    phone_card.get_by_role("button").click()
    expect(computer.locator(".session-card")).to_have_count(1)

    handset.goto(f"{base}/account/profile/")
    expect(handset).to_have_url(f"{base}/account/login/?next=/en/account/profile/")
