"""Attacks on sign-in, sign-up and password reset are stopped (issue 4 §5 and §8).

Brute force of one account ends in a lockout that refuses even the right password until staff
unlock it or it expires; credential stuffing from one address across many accounts runs into
the per-IP limit; every refusal for being too fast is a 429 with Retry-After.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tests.accounts.conftest import PASSWORD
from tridex.accounts.models import LoginLockout, User
from tridex.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = "/en/account/login/"
LOCKED_WORDS = "Too many failed sign-ins to this address"


@pytest.fixture(autouse=True)
def _three_strikes(settings) -> None:
    settings.TRIDEX_LOGIN_LOCKOUT_ATTEMPTS = 3
    settings.TRIDEX_LOGIN_LOCKOUT_MINUTES = 30


def sign_in(client: Client, email: str, password: str, ip: str = "203.0.113.7"):
    return client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=ip)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- Brute force of one account ----------------------------------------------------------------


def test_wrong_passwords_lock_the_account_and_then_even_the_right_one_is_refused(client, customer):
    for _attempt in range(3):
        response = sign_in(client, customer.email, "guess-123456")
        assert response.status_code == 200
        assert not signed_in(client)

    response = sign_in(client, customer.email, PASSWORD)

    assert response.status_code == 200
    assert not signed_in(client)
    assert LOCKED_WORDS in response.text
    lockout = LoginLockout.objects.get(email=customer.email)
    assert lockout.user == customer
    assert lockout.locked_until > timezone.now() + timedelta(minutes=29)


def test_a_lock_does_not_tell_whether_the_address_has_an_account(client, customer):
    for email in (customer.email, "nobody@example.com"):
        for _attempt in range(3):
            sign_in(client, email, "guess-123456")
    known = sign_in(client, customer.email, PASSWORD).text
    unknown = sign_in(client, "nobody@example.com", PASSWORD).text

    assert LOCKED_WORDS in known
    assert LOCKED_WORDS in unknown
    assert _error_text(known) == _error_text(unknown)


def _error_text(page: str) -> str:
    start = page.index(LOCKED_WORDS)
    return page[start : page.index("<", start)]


def test_attempts_while_locked_do_not_extend_the_lock(client, customer):
    for _attempt in range(3):
        sign_in(client, customer.email, "guess-123456")
    until = LoginLockout.objects.get(email=customer.email).locked_until
    for _attempt in range(3):
        sign_in(client, customer.email, "guess-123456")
    assert LoginLockout.objects.get(email=customer.email).locked_until == until


def test_after_the_lock_expires_the_right_password_signs_in_and_resets_the_count(client, customer):
    for _attempt in range(3):
        sign_in(client, customer.email, "guess-123456")
    LoginLockout.objects.filter(email=customer.email).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )

    response = sign_in(client, customer.email, PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)
    assert not LoginLockout.objects.filter(email=customer.email).exists()


def test_a_success_before_the_limit_starts_the_count_again(client, customer):
    for _attempt in range(2):
        sign_in(client, customer.email, "guess-123456")
    assert sign_in(client, customer.email, PASSWORD).status_code == 302
    client.logout()
    for _attempt in range(2):
        sign_in(client, customer.email, "guess-123456")
    assert sign_in(client, customer.email, PASSWORD).status_code == 302


def test_the_lock_covers_the_mobile_api_and_the_admin_login(client, make_user):
    staff = make_user(email="staff@example.com", is_staff=True)
    for _attempt in range(3):
        sign_in(client, staff.email, "guess-123456")

    app = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": staff.email, "password": PASSWORD},
        content_type="application/json",
    )
    assert app.status_code == 400
    assert app.json()["errors"][0]["code"] == "login_locked"
    # The admin's own password form takes no password: it sends staff to the shop's sign-in,
    # where the lock (and the second factor) apply.
    admin = client.post(
        "/admin/login/", {"username": staff.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert admin.status_code == 302 and "/account/login/" in admin["Location"]
    assert not signed_in(client)


def test_staff_unlock_from_the_admin_is_audited_and_lets_the_customer_in(client, customer):
    for _attempt in range(3):
        sign_in(client, customer.email, "guess-123456")
    lockout = LoginLockout.objects.get(email=customer.email)
    owner = User.objects.create_superuser(email="owner@example.com", password="x")
    staff = Client()
    staff.force_login(owner)

    listing = staff.get("/admin/accounts/loginlockout/", {"locked": "yes"})
    assert customer.email in listing.text
    response = staff.post(
        "/admin/accounts/loginlockout/",
        {"action": "unlock", "_selected_action": [lockout.pk]},
    )

    assert response.status_code == 302
    lockout.refresh_from_db()
    assert lockout.locked_until is None
    entry = AuditEntry.objects.get(object_type="accounts.loginlockout")
    assert entry.actor_id == owner.pk
    assert entry.data == {"action": "unlock"}
    assert entry.changes["failures"] == [3, 0]
    assert sign_in(client, customer.email, PASSWORD).status_code == 302
    assert signed_in(client)


def test_resetting_the_password_by_email_lifts_the_lock(client, customer):
    from tests.accounts.conftest import link_in_last_mail

    for _attempt in range(3):
        sign_in(client, customer.email, "guess-123456")
    client.post("/en/account/password/reset/", {"email": customer.email})
    reset_path = link_in_last_mail("/en/account/password/reset/key/")
    form_path = client.get(reset_path)["Location"]
    new = "a new sofa cover passphrase"
    client.post(form_path, {"password1": new, "password2": new})

    assert not LoginLockout.objects.filter(email=customer.email).exists()
    assert sign_in(client, customer.email, new).status_code == 302


# --- Rate limits: credential stuffing, sign-up and reset floods ---------------------------------


def test_credential_stuffing_from_one_address_hits_the_ip_limit(client, settings, make_user):
    settings.TRIDEX_RATE_LIMITS = {**settings.TRIDEX_RATE_LIMITS, "login": {"ip": "5/h"}}
    for n in range(5):
        response = sign_in(client, f"victim{n}@example.com", "leaked-password-1")
        assert response.status_code == 200

    refused = sign_in(client, "victim9@example.com", "leaked-password-1")

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert "Too many attempts" in refused.text
    # Another client is not punished for it, and forging X-Forwarded-For does not help the
    # attacker (no trusted proxy is configured).
    other = sign_in(Client(), "victim9@example.com", "x-password-1", ip="198.51.100.1")
    assert other.status_code == 200
    forged = Client().post(
        LOGIN,
        {"login": "victim9@example.com", "password": "x-password-1"},
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="192.0.2.55",
    )
    assert forged.status_code == 429


def test_login_limit_per_account_holds_across_addresses(client, settings, customer):
    settings.TRIDEX_RATE_LIMITS = {**settings.TRIDEX_RATE_LIMITS, "login": {"account": "2/h"}}
    settings.TRIDEX_LOGIN_LOCKOUT_ATTEMPTS = 0
    for n in range(2):
        sign_in(Client(), customer.email.upper(), "guess-123456", ip=f"198.51.100.{n}")
    response = sign_in(Client(), customer.email, PASSWORD, ip="198.51.100.99")
    assert response.status_code == 429


def test_signup_flood_is_refused_with_retry_after(client, settings):
    settings.TRIDEX_RATE_LIMITS = {**settings.TRIDEX_RATE_LIMITS, "signup": {"ip": "2/h"}}
    for n in range(2):
        body = {"email": f"new{n}@example.com", "password1": PASSWORD, "password2": PASSWORD}
        assert client.post("/en/account/signup/", body).status_code == 302
    body = {"email": "new9@example.com", "password1": PASSWORD, "password2": PASSWORD}
    response = client.post("/th/account/signup/", body)

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert "<html" in response.text
    assert not User.objects.filter(email="new9@example.com").exists()


def test_password_reset_limit_per_account_and_headless_json(client, settings, customer):
    settings.TRIDEX_RATE_LIMITS = {
        **settings.TRIDEX_RATE_LIMITS,
        "password_reset": {"ip": "", "account": "2/h"},
    }
    for _n in range(2):
        ok = client.post("/en/account/password/reset/", {"email": customer.email})
        assert ok.status_code == 302

    response = client.post(
        "/_allauth/app/v1/auth/password/request",
        {"email": customer.email},
        content_type="application/json",
    )

    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert response.json()["errors"][0]["code"] == "rate_limited"


def test_the_admin_login_is_limited_too(client, settings):
    settings.TRIDEX_RATE_LIMITS = {**settings.TRIDEX_RATE_LIMITS, "login": {"account": "2/h"}}
    body = {"username": "owner@example.com", "password": "guess-123456", "next": "/admin/"}
    for _n in range(2):
        assert client.post("/admin/login/", body).status_code == 302  # to the shop's sign-in
    refused = client.post("/admin/login/", body)
    assert refused.status_code == 429
    assert refused["Retry-After"].isdigit()


def test_getting_the_forms_is_not_limited(client, settings):
    settings.TRIDEX_RATE_LIMITS = {**settings.TRIDEX_RATE_LIMITS, "login": {"ip": "1/5m"}}
    for _n in range(3):
        assert client.get(LOGIN).status_code == 200


# --- Passwords: NIST 800-63B ---------------------------------------------------------------------


def test_a_long_passphrase_with_spaces_and_thai_is_accepted():
    passphrase = "ผ้าคลุมโซฟาสีเทา fits our three-seat sofa perfectly, washed twice ✓"[:64]
    assert len(passphrase) == 64
    validate_password(passphrase)
    validate_password("x" * 10 + " correct horse battery staple " * 4)  # 130 characters


def test_a_common_password_is_refused():
    with pytest.raises(ValidationError) as refused:
        validate_password("password123")
    assert [e.code for e in refused.value.error_list] == ["password_too_common"]


def test_short_passwords_are_refused_and_nothing_demands_digits_or_symbols():
    with pytest.raises(ValidationError) as refused:
        validate_password("sofa7x")
    assert [e.code for e in refused.value.error_list] == ["password_too_short"]
    # Lower-case letters only, no digit, no symbol, no capital: long enough and uncommon.
    validate_password("velvetcouchcover")


def test_signup_accepts_a_64_character_passphrase(client):
    passphrase = "my grandmother's rattan sofa needs a cover that stays put ผ้าคลุม"[:64]
    response = client.post(
        "/en/account/signup/",
        {"email": "long@example.com", "password1": passphrase, "password2": passphrase},
    )
    assert response.status_code == 302
    assert User.objects.get(email="long@example.com").check_password(passphrase)


def test_staff_need_fifteen_characters_customers_eight(make_user):
    staff = User(email="staff@example.com", is_staff=True)
    with pytest.raises(ValidationError) as refused:
        validate_password("sofa cover 12", staff)
    assert [e.code for e in refused.value.error_list] == ["password_too_short_for_staff"]
    validate_password("sofa cover rattan", staff)
    validate_password("sofa cover 12", User(email="nok@example.com"))


def test_stale_unlocked_records_are_purged_locked_ones_kept(client, customer):
    from tridex.accounts.tasks import purge_login_lockouts

    for _attempt in range(3):
        sign_in(client, customer.email, "guess-123456")
    sign_in(client, "typo@example.com", "guess-123456")
    sign_in(client, "fresh@example.com", "guess-123456")
    day_ago = timezone.now() - timedelta(days=1, minutes=1)
    LoginLockout.objects.exclude(email="fresh@example.com").update(last_failure_at=day_ago)

    assert purge_login_lockouts() == 1

    assert sorted(LoginLockout.objects.values_list("email", flat=True)) == [
        "fresh@example.com",
        customer.email,
    ]
