"""The allauth flows end to end through the real pages: signup, verification, login, reset,
password change and email change."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from tests.accounts.conftest import PASSWORD, link_in_last_mail
from tridex.accounts.models import User

pytestmark = pytest.mark.django_db


def test_signup_sends_verification_and_confirming_logs_in(client):
    response = client.post(
        "/en/account/signup/",
        {"email": "Nok@Example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/account/confirm-email/"
    assert "_auth_user_id" not in client.session

    user = User.objects.get(email="nok@example.com")
    assert user.preferred_language == "en"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nok@example.com"]

    confirm_path = link_in_last_mail("/en/account/confirm-email/")
    page = client.get(confirm_path)
    assert page.status_code == 200
    assert "nok@example.com" in page.text

    response = client.post(confirm_path)
    assert response.status_code == 302
    assert response["Location"] == "/en/account/profile/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert EmailAddress.objects.get(user=user).verified


def test_signup_in_thai_remembers_thai(client):
    client.post(
        "/th/account/signup/",
        {"email": "mali@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert User.objects.get(email="mali@example.com").preferred_language == "th"
    assert "/th/account/confirm-email/" in mail.outbox[0].body


def test_unverified_user_cannot_log_in_until_confirmed(client):
    user = User.objects.create_user(email="late@example.com", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    response = client.post("/en/account/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/en/account/confirm-email/"
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1


def test_signup_rejects_mismatched_passwords(client):
    response = client.post(
        "/en/account/signup/",
        {"email": "x@example.com", "password1": PASSWORD, "password2": PASSWORD + "x"},
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.text
    assert not User.objects.filter(email="x@example.com").exists()


def test_login_with_wrong_password_fails_cleanly(client, customer):
    response = client.post(
        "/en/account/login/", {"login": customer.email, "password": "not-the-password"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert 'role="alert"' in response.text
    assert "not correct" in response.text


def test_login_with_right_password_goes_to_profile(client, customer):
    response = client.post("/en/account/login/", {"login": customer.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/en/account/profile/"
    assert client.session["_auth_user_id"] == str(customer.pk)


def test_password_reset_through_the_emailed_link(client, customer):
    response = client.post("/en/account/password/reset/", {"email": customer.email})
    assert response.status_code == 302
    assert response["Location"] == "/en/account/password/reset/done/"
    assert mail.outbox[-1].to == [customer.email]

    key_path = link_in_last_mail("/en/account/password/reset/key/")
    # allauth moves the key into the session and redirects to a key-less URL.
    response = client.get(key_path, follow=True)
    assert response.status_code == 200
    form_path = response.redirect_chain[-1][0]
    new_password = "Another-cover-99"
    response = client.post(form_path, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    assert response["Location"] == "/en/account/password/reset/key/done/"

    customer.refresh_from_db()
    assert customer.check_password(new_password)
    # The link works once.
    assert client.get(key_path, follow=True).context["token_fail"]


def test_password_reset_with_a_forged_key_shows_a_clear_page(client, customer):
    response = client.get("/en/account/password/reset/key/1-not-a-real-token/", follow=True)
    assert response.status_code == 200
    assert response.context["token_fail"]


def test_password_change(customer_client, customer):
    response = customer_client.post(
        "/en/account/password/change/",
        {"oldpassword": PASSWORD, "password1": "Brand-new-2027", "password2": "Brand-new-2027"},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password("Brand-new-2027")


def test_change_email_requires_verification_of_the_new_address(customer_client, customer):
    response = customer_client.post(
        "/en/account/email/", {"email": "new@example.com", "action_add": ""}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.email == "somchai@example.com"
    assert mail.outbox[-1].to == ["new@example.com"]
    pending = customer_client.get("/en/account/email/")
    assert "new@example.com" in pending.text

    confirm_path = link_in_last_mail("/en/account/confirm-email/")
    response = customer_client.post(confirm_path)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.email == "new@example.com"
    assert list(EmailAddress.objects.filter(user=customer).values_list("email", flat=True)) == [
        "new@example.com"
    ]


def test_change_email_cannot_take_another_accounts_address(customer_client, customer, make_user):
    other = make_user(email="taken@example.com")
    # allauth answers as if it worked, so the form cannot be used to find out who is a customer.
    response = customer_client.post(
        "/en/account/email/", {"email": "taken@example.com", "action_add": ""}
    )
    assert response.status_code == 302
    confirm_path = link_in_last_mail("/en/account/confirm-email/")
    page = customer_client.get(confirm_path)
    assert page.status_code == 200
    assert not page.context["can_confirm"]
    customer_client.post(confirm_path)
    customer.refresh_from_db()
    other.refresh_from_db()
    assert customer.email == "somchai@example.com"
    assert other.email == "taken@example.com"
    assert EmailAddress.objects.get(email="taken@example.com", verified=True).user == other


def test_logout_needs_a_post(customer_client):
    assert customer_client.get("/en/account/logout/").status_code == 200
    assert "_auth_user_id" in customer_client.session
    response = customer_client.post("/en/account/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in customer_client.session
