"""Account emails go out in the recipient's preferred language, subject, bodies and links."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def html_body(message) -> str:
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


@pytest.mark.parametrize(
    ("language", "page_language", "subject", "phrase", "link"),
    [
        (
            "th",
            "en",
            "[Tridex] ตั้งรหัสผ่านใหม่",
            "เปิดลิงก์นี้เพื่อเลือกรหัสผ่านใหม่",
            "/th/account/password/reset/key/",
        ),
        (
            "en",
            "th",
            "[Tridex] Reset your password",
            "Open this link to choose a new password",
            "/en/account/password/reset/key/",
        ),
    ],
    ids=["th", "en"],
)
def test_password_reset_mail_in_the_users_language(
    client, make_user, language, page_language, subject, phrase, link
):
    user = make_user(email="reader@example.com", language=language, first_name="Mali")
    client.post(f"/{page_language}/account/password/reset/", {"email": user.email})
    [message] = mail.outbox
    assert message.subject == subject
    assert phrase in message.body
    assert link in message.body
    html = html_body(message)
    assert phrase in html
    assert f'<html lang="{language}">' in html
    assert "Mali" in message.body


@pytest.mark.parametrize(
    ("language", "subject", "phrase", "link"),
    [
        ("th", "[Tridex] ยืนยันอีเมลของคุณ", "โปรดยืนยันว่านี่คืออีเมลของคุณ", "/th/account/confirm-email/"),
        (
            "en",
            "[Tridex] Confirm your email address",
            "Please confirm that this is your email",
            "/en/account/confirm-email/",
        ),
    ],
    ids=["th", "en"],
)
def test_email_change_confirmation_in_the_users_language(
    client, make_user, language, subject, phrase, link
):
    user = make_user(language=language)
    client.force_login(user)
    client.post("/en/account/email/", {"email": "new@example.com", "action_add": ""})
    message = mail.outbox[-1]
    assert message.to == ["new@example.com"]
    assert message.subject == subject
    assert phrase in message.body
    assert link in message.body
    assert phrase in html_body(message)


def test_signup_confirmation_is_thai_when_signing_up_in_thai(client):
    client.post(
        "/th/account/signup/",
        {"email": "nid@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    [message] = mail.outbox
    assert message.subject == "[Tridex] ยินดีต้อนรับ! โปรดยืนยันอีเมลของคุณ"
    assert "ขอบคุณที่สมัครสมาชิก" in message.body
    assert "ขอบคุณที่สมัครสมาชิก" in html_body(message)


def test_resent_verification_follows_the_stored_language_not_the_page(client, make_user):
    user = make_user(email="th-user@example.com", language="th")
    EmailAddress.objects.filter(user=user).update(verified=False)
    client.post("/en/account/login/", {"login": user.email, "password": PASSWORD})
    [message] = mail.outbox
    assert message.subject == "[Tridex] ยืนยันอีเมลของคุณ"
    assert "/th/account/confirm-email/" in message.body
