"""Two-factor authentication: enrolling an authenticator app, a passkey and recovery codes,
signing in with each, the emails and audit entries that follow, the staff requirement, and
the attacks: guessing codes, replaying a code, reusing a recovery code, skipping enrolment."""

from __future__ import annotations

import json
import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from cryptography.fernet import InvalidToken
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.accounts.conftest import PASSWORD
from tests.accounts.webauthn_device import SoftPasskey
from tests.conftest import enrol_totp, totp_code, totp_secret_of
from tridex.accounts.mfa import mfa_enrolment_required
from tridex.accounts.models import User
from tridex.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
A = AuditEntry.Action
T = Authenticator.Type


@pytest.fixture(autouse=True)
def _english():
    """Pages are asked for in English (/en/...) unless a test names /th/; emails follow each
    user's own language whatever the page's."""
    with translation.override("en"):
        yield


def sign_in(client: Client, email: str, **extra) -> str:
    """Post the password form; return where it sent the browser."""
    response = client.post(
        reverse("account_login"), {"login": email, "password": PASSWORD}, **extra
    )
    assert response.status_code == 302, response.content
    return response["Location"]


def confirm_password(client: Client, **extra) -> None:
    """Enter the password again, as allauth asks before a factor is added or removed."""
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD}, **extra)
    assert response.status_code == 302, response.content


def enter_code(client: Client, code: str, **extra):
    return client.post(reverse("mfa_authenticate"), {"code": code}, **extra)


def signed_in_as(client: Client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def js_data(html: str) -> dict:
    match = re.search(r'<script id="js_data" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the page carries no WebAuthn options"
    return json.loads(match.group(1))


def subjects() -> list[str]:
    return [message.subject for message in mail.outbox]


def factor_entries(user: User, *actions: str) -> list[AuditEntry]:
    entries = AuditEntry.objects.filter(object_id=str(user.pk), action__in=actions)
    return list(entries.order_by("id"))


@pytest.fixture
def own_cache(settings) -> None:
    """A cache of the test's own for what allauth counts there (failed codes, spent codes): in
    the Redis pass another test worker's cache.clear() (a FLUSHDB) could reset it halfway."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def staff(make_user) -> User:
    return make_user(email="nok@example.com", language="en", is_staff=True)


@pytest.fixture
def bare_staff(make_user, staff_without_factor) -> User:
    return make_user(email="bare@example.com", language="en", is_staff=True)


# --- Enrolling --------------------------------------------------------------------------------


def test_the_account_nav_leads_to_the_factor_pages(customer_client):
    page = customer_client.get("/en/account/profile/")
    assert 'href="/en/account/2fa/"' in page.text
    index = customer_client.get("/en/account/2fa/")
    assert index.status_code == 200
    assert "Set up an authenticator app" in index.text
    assert "Add a passkey or security key" in index.text
    assert 'aria-current="page">Two-factor authentication' in index.text
    thai = customer_client.get("/th/account/2fa/")
    assert '<html lang="th">' in thai.text and "ยืนยันตัวตนสองขั้นตอน" in thai.text


@pytest.mark.parametrize(
    ("language", "subject"),
    [("th", "[Tridex] เปิดใช้แอปยืนยันตัวตนแล้ว"), ("en", "[Tridex] Authenticator app turned on")],
)
def test_a_customer_turns_on_an_authenticator_app(
    client, make_user, language, subject, django_capture_on_commit_callbacks
):
    customer = make_user(language=language)
    sign_in(client, customer.email)
    confirm_password(client)
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert "<svg" in page.text  # the QR code, inline (no data: URL for the CSP to allow)
    secret = re.search(r'id="authenticator_secret">([A-Z2-7=]+)<', page.text).group(1)

    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert wrong.status_code == 200 and not Authenticator.objects.filter(user=customer).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    types = set(Authenticator.objects.filter(user=customer).values_list("type", flat=True))
    assert types == {T.TOTP, T.RECOVERY_CODES}
    assert subjects() == [subject]
    message = mail.outbox[0]
    assert message.to == [customer.email]
    assert "127.0.0.1" in message.body  # where the change came from
    codes = client.get(reverse("mfa_view_recovery_codes"))
    assert len(re.findall(r"<li>\d{8}</li>", codes.text)) == 10
    assert not mfa_enrolment_required(customer)  # customers are never required to enrol


def test_turning_a_factor_off_is_emailed_in_the_users_language(client, make_user):
    customer = make_user(language="th")
    enrol_totp(customer)
    sign_in(client, customer.email)
    enter_code(client, totp_code(totp_secret_of(customer)))
    confirm_password(client)
    mail.outbox.clear()
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=customer).exists()  # recovery codes go too
    assert subjects() == ["[Tridex] ปิดแอปยืนยันตัวตนแล้ว"]
    assert "ถ้าไม่ใช่คุณ" in mail.outbox[0].body


# --- Signing in with a factor -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("th", "[Tridex] มีการเข้าสู่ระบบด้วยการยืนยันตัวตนสองขั้นตอน"),
        ("en", "[Tridex] New sign-in with two-factor authentication"),
    ],
)
def test_signing_in_asks_for_the_code_and_emails_its_use(client, make_user, language, subject):
    customer = make_user(language=language)
    secret = enrol_totp(customer)
    assert sign_in(client, customer.email) == reverse("mfa_authenticate")
    assert signed_in_as(client) is None  # the password alone does not sign in
    page = client.get(reverse("mfa_authenticate"))
    assert page.status_code == 200 and 'name="code"' in page.text

    assert enter_code(client, "123456").status_code == 200
    assert signed_in_as(client) is None
    response = enter_code(client, totp_code(secret))
    assert response.status_code == 302
    assert signed_in_as(client) == customer.pk
    assert subjects() == [subject]


def test_confirming_it_is_you_with_a_code_is_emailed_and_audited(client, staff):
    secret = totp_secret_of(staff)
    sign_in(client, staff.email)
    enter_code(client, totp_code(secret))
    mail.outbox.clear()
    next_code = totp_code(secret, at=time.time() + 30)  # the one just used is spent
    response = client.post(reverse("mfa_reauthenticate"), {"code": next_code})
    assert response.status_code == 302
    assert subjects() == ["[Tridex] Two-factor authentication used to confirm it was you"]
    used = factor_entries(staff, A.FACTOR_USED)
    assert [e.data["reauthenticated"] for e in used] == [False, True]


def test_a_used_totp_code_cannot_be_replayed(client, customer, own_cache):
    """Someone who saw a code (over a shoulder, in a phishing page) cannot use it again."""
    secret = enrol_totp(customer)
    code = totp_code(secret)
    sign_in(client, customer.email)
    enter_code(client, code)
    assert signed_in_as(client) == customer.pk

    thief = Client()
    sign_in(thief, customer.email)
    response = enter_code(thief, code)
    assert response.status_code == 200
    assert "Incorrect code" in response.text or "ไม่ถูกต้อง" in response.text
    assert signed_in_as(thief) is None


def test_a_code_from_minutes_ago_is_refused(client, customer):
    secret = enrol_totp(customer)
    sign_in(client, customer.email)
    assert enter_code(client, totp_code(secret, at=time.time() - 120)).status_code == 200
    assert signed_in_as(client) is None


def test_guessing_codes_is_stopped_even_for_the_right_code(client, customer, own_cache):
    """After a few wrong codes the form refuses every code for a while, the right one too:
    a million six-digit codes cannot be tried at that pace."""
    secret = enrol_totp(customer)
    sign_in(client, customer.email)
    for attempt in range(1, 12):
        response = enter_code(client, f"{attempt:06d}")
        if "Too many failed" in response.text:
            break
    assert attempt <= 10, "wrong codes were never refused"
    response = enter_code(client, totp_code(secret))
    assert response.status_code == 200 and "Too many failed" in response.text
    assert signed_in_as(client) is None


def test_a_recovery_code_works_once(client, make_user):
    customer = make_user(language="en")
    enrol_totp(customer)
    recovery = Authenticator.objects.get(user=customer, type=T.RECOVERY_CODES).wrap()
    code = recovery.get_unused_codes()[0]

    sign_in(client, customer.email)
    assert enter_code(client, code).status_code == 302
    assert signed_in_as(client) == customer.pk
    assert (
        "recovery code" in mail.outbox[-1].body
        and "9 unused recovery codes" in mail.outbox[-1].body
    )

    replay = Client()
    sign_in(replay, customer.email)
    assert enter_code(replay, code).status_code == 200
    assert signed_in_as(replay) is None
    recovery.instance.refresh_from_db()
    assert len(recovery.get_unused_codes()) == 9


def test_the_app_api_asks_for_the_second_factor(client, customer):
    secret = enrol_totp(customer)
    login = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": customer.email, "password": PASSWORD},
        content_type="application/json",
    )
    assert login.status_code == 401
    body = login.json()
    assert {"id": "mfa_authenticate", "is_pending": True, "types": ["recovery_codes", "totp"]} in [
        {k: flow.get(k) for k in ("id", "is_pending", "types")} for flow in body["data"]["flows"]
    ]
    token = body["meta"]["session_token"]
    wrong = client.post(
        "/_allauth/app/v1/auth/2fa/authenticate",
        {"code": "000000"},
        content_type="application/json",
        HTTP_X_SESSION_TOKEN=token,
    )
    assert wrong.status_code == 400
    right = client.post(
        "/_allauth/app/v1/auth/2fa/authenticate",
        {"code": totp_code(secret)},
        content_type="application/json",
        HTTP_X_SESSION_TOKEN=token,
    )
    assert right.status_code == 200, right.content
    assert right.json()["data"]["user"]["id"] == customer.pk


# --- Passkeys and security keys (a real WebAuthn ceremony with a software key) ----------------


def add_passkey(client: Client, user: User) -> SoftPasskey:
    sign_in(client, user.email, secure=True)
    confirm_password(client, secure=True)
    page = client.get(reverse("mfa_add_webauthn"), secure=True)
    assert page.status_code == 200
    assert 'id="mfa_webauthn_add"' in page.text and "webauthn.js" in page.text
    device = SoftPasskey()
    credential = device.register(js_data(page.text)["creation_options"])
    response = client.post(
        reverse("mfa_add_webauthn"), {"name": "YubiKey", "credential": credential}, secure=True
    )
    assert response.status_code == 302, response.content
    return device


def test_a_security_key_is_added_and_signs_in(client, make_user):
    customer = make_user(language="en")
    device = add_passkey(client, customer)
    key = Authenticator.objects.get(user=customer, type=T.WEBAUTHN)
    assert key.wrap().name == "YubiKey"
    assert Authenticator.objects.filter(user=customer, type=T.RECOVERY_CODES).exists()
    assert subjects() == ["[Tridex] Passkey or security key added"]
    listing = client.get(reverse("mfa_list_webauthn"), secure=True)
    assert "YubiKey" in listing.text

    browser = Client()
    assert sign_in(browser, customer.email, secure=True) == reverse("mfa_authenticate")
    page = browser.get(reverse("mfa_authenticate"), secure=True)
    assertion = device.assert_(js_data(page.text)["request_options"])
    response = browser.post(reverse("mfa_authenticate"), {"credential": assertion}, secure=True)
    assert response.status_code == 302, response.content
    assert signed_in_as(browser) == customer.pk
    assert "passkey or security key" in mail.outbox[-1].body


def test_a_forged_key_response_is_refused(client, make_user):
    customer = make_user(language="en")
    add_passkey(client, customer)
    impostor = SoftPasskey()  # a different private key claiming the same credential id
    impostor.credential_id = (
        Authenticator.objects.get(user=customer, type=T.WEBAUTHN)
        .wrap()
        .authenticator_data.credential_data.credential_id
    )
    browser = Client()
    sign_in(browser, customer.email, secure=True)
    page = browser.get(reverse("mfa_authenticate"), secure=True)
    assertion = impostor.assert_(js_data(page.text)["request_options"])
    response = browser.post(reverse("mfa_authenticate"), {"credential": assertion}, secure=True)
    assert response.status_code == 200
    assert signed_in_as(browser) is None


def test_a_passkey_signs_in_without_a_password(client, make_user):
    customer = make_user(language="en")
    sign_in(client, customer.email, secure=True)
    confirm_password(client, secure=True)
    page = client.get(reverse("mfa_add_webauthn"), secure=True)
    device = SoftPasskey()
    credential = device.register(js_data(page.text)["creation_options"], passwordless=True)
    client.post(
        reverse("mfa_add_webauthn"),
        {"name": "Phone", "credential": credential, "passwordless": "on"},
        secure=True,
    )
    assert Authenticator.objects.get(user=customer, type=T.WEBAUTHN).wrap().is_passwordless

    browser = Client()
    login_page = browser.get(reverse("account_login"), secure=True)
    assert 'id="passkey_login"' in login_page.text
    options = browser.get(
        reverse("mfa_login_webauthn"), secure=True, HTTP_ACCEPT="application/json"
    ).json()
    response = browser.post(
        reverse("mfa_login_webauthn"),
        {"credential": device.assert_(options["request_options"])},
        secure=True,
    )
    assert response.status_code == 302
    assert signed_in_as(browser) == customer.pk


# --- Staff must enrol -------------------------------------------------------------------------


def test_staff_without_a_factor_are_sent_from_the_back_office_to_enrol(client, bare_staff):
    client.force_login(bare_staff)
    for path in ("/admin", "/admin/", "/admin/orders/order/", "/admin/no-such-page/"):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 302, path
        assert response["Location"] == "/en/account/2fa/"
    page = client.get("/en/account/2fa/")
    assert "must set up two-factor authentication" in page.text  # the message, shown once
    assert "Staff accounts must set up an authenticator app" in page.text


def test_staff_without_a_factor_get_a_json_403_from_the_staff_api(client, bare_staff):
    client.force_login(bare_staff)
    paths = ("/api/v1/staff", "/api/v1/staff/orders/", "/api/v1/staff/no/such/thing")
    for path in (*paths, "/api/v1/%73taff/orders"):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 403, path
        body = response.json()
        assert body["code"] == "mfa_enrolment_required" and body["field"] is None
        assert "two-factor authentication" in body["message"]
    assert client.get("/api/v1/staffing").status_code == 404  # only the staff folder is guarded
    thai = client.get("/api/v1/staff/orders/", HTTP_ACCEPT_LANGUAGE="th").json()
    assert "ยืนยันตัวตนสองขั้นตอน" in thai["message"]


def test_enrolling_opens_the_back_office(client, bare_staff):
    sign_in(client, bare_staff.email)
    assert client.get("/admin/").status_code == 302
    confirm_password(client)
    page = client.get(reverse("mfa_activate_totp"))
    secret = re.search(r'id="authenticator_secret">([A-Z2-7=]+)<', page.text).group(1)
    client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert client.get("/admin/").status_code == 200
    assert client.get("/api/v1/staff/no-such-endpoint").status_code == 404  # routing goes on


def test_recovery_codes_alone_do_not_count_and_the_setting_turns_it_off(bare_staff, settings):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    RecoveryCodes.activate(bare_staff)
    assert mfa_enrolment_required(bare_staff)
    settings.TRIDEX_STAFF_MFA_REQUIRED = False
    assert not mfa_enrolment_required(bare_staff)
    client = Client()
    client.force_login(bare_staff)
    assert client.get("/admin/").status_code == 200


def test_customers_and_visitors_are_not_affected(client, customer):
    assert not mfa_enrolment_required(customer)
    anonymous = client.get("/api/v1/staff/orders/")
    assert anonymous.status_code != 403
    client.force_login(customer)
    assert client.get("/api/v1/staff/orders/").status_code != 403
    assert client.get("/admin/").status_code == 302  # Django's own rule: not staff


def test_the_back_office_sign_in_asks_for_the_second_factor(client, staff):
    """The admin's own password form would skip the second factor: it sends to the shop's."""
    response = client.get("/admin/login/?next=/admin/orders/order/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=%2Fadmin%2Forders%2Forder%2F" in response["Location"]
    posted = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    assert signed_in_as(client) is None and posted.status_code == 302

    sign_in(client, staff.email)
    enter_code(client, totp_code(totp_secret_of(staff)))
    assert client.get("/admin/").status_code == 200


# --- Audit ------------------------------------------------------------------------------------


def test_staff_factor_changes_and_uses_are_audited(
    client, bare_staff, django_capture_on_commit_callbacks
):
    sign_in(client, bare_staff.email, HTTP_USER_AGENT="Firefox/140")
    confirm_password(client)
    page = client.get(reverse("mfa_activate_totp"))
    secret = re.search(r'id="authenticator_secret">([A-Z2-7=]+)<', page.text).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    added = factor_entries(bare_staff, A.FACTOR_ADDED)
    assert [e.data["factor"] for e in added] == [T.TOTP, T.RECOVERY_CODES]
    assert added[0].actor_id == bare_staff.pk
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_generate_recovery_codes"))
    (reset,) = factor_entries(bare_staff, A.RECOVERY_CODES_RESET)
    assert reset.data["factor"] == T.RECOVERY_CODES and reset.actor_id == bare_staff.pk

    client.post(reverse("account_logout"))
    sign_in(client, bare_staff.email)
    enter_code(client, "000000")
    (failed,) = factor_entries(bare_staff, A.LOGIN_FAILED)
    assert failed.data["factor"] == T.TOTP
    code = Authenticator.objects.get(user=bare_staff, type=T.RECOVERY_CODES).wrap()
    enter_code(client, code.get_unused_codes()[0])
    (used,) = factor_entries(bare_staff, A.FACTOR_USED)
    assert used.data["factor"] == T.RECOVERY_CODES and used.data["reauthenticated"] is False

    confirm_password(client)
    client.post(reverse("mfa_deactivate_totp"))
    removed = factor_entries(bare_staff, A.FACTOR_REMOVED)
    assert {e.data["factor"] for e in removed} == {T.TOTP, T.RECOVERY_CODES}
    assert all(secret not in json.dumps(e.data) for e in AuditEntry.objects.all())


def test_customers_factor_changes_are_not_in_the_staff_audit_log(client, customer):
    sign_in(client, customer.email)
    confirm_password(client)
    page = client.get(reverse("mfa_activate_totp"))
    secret = re.search(r'id="authenticator_secret">([A-Z2-7=]+)<', page.text).group(1)
    client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert Authenticator.objects.filter(user=customer).exists()
    assert not factor_entries(customer, A.FACTOR_ADDED)


def test_an_owner_removing_a_staff_factor_in_the_admin_leaves_no_secret_in_the_log(
    client, staff, make_user
):
    owner = make_user(email="owner@example.com", is_staff=True, is_superuser=True)
    secret = totp_secret_of(staff)
    totp = Authenticator.objects.get(user=staff, type=T.TOTP)
    client.force_login(owner)
    url = reverse("admin:mfa_authenticator_delete", args=[totp.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    (entry,) = AuditEntry.objects.filter(action=A.DELETE, object_type="mfa.authenticator")
    assert entry.actor_id == owner.pk
    assert secret not in json.dumps(entry.changes)
    assert entry.changes["data"][0].startswith("[redacted]")
    assert mfa_enrolment_required(staff)  # the staff member must enrol again


def test_staff_fixtures_are_enrolled(staff):
    """Every staff account made in tests has a factor (tests/conftest.py)."""
    assert EmailAddress.objects.filter(user=staff).exists()
    assert not mfa_enrolment_required(staff)


def test_the_back_office_shows_factors_but_never_their_secrets(client, staff, make_user):
    owner = make_user(email="owner@example.com", is_staff=True, is_superuser=True)
    totp = Authenticator.objects.get(user=staff, type=T.TOTP)
    client.force_login(owner)
    page = client.get(reverse("admin:mfa_authenticator_change", args=[totp.pk]))
    assert page.status_code == 200 and staff.email in page.text
    assert totp_secret_of(staff) not in page.text and 'name="data"' not in page.text
    assert client.get(reverse("admin:mfa_authenticator_add")).status_code == 403
    changed = client.post(reverse("admin:mfa_authenticator_change", args=[totp.pk]), {})
    assert changed.status_code == 403


# --- Secrets at rest -----------------------------------------------------------------------------


def test_factor_secrets_are_encrypted_in_the_database(customer):
    secret = enrol_totp(customer)
    stored = {a.type: a.data for a in Authenticator.objects.filter(user=customer)}
    assert stored[T.TOTP]["secret"].startswith("fernet:")
    assert secret not in json.dumps(stored)
    assert totp_secret_of(customer) == secret  # read back through the adapter


def test_rotating_the_secret_key_keeps_enrolled_factors_working(client, customer, settings):
    secret = enrol_totp(customer)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 50
    assert sign_in(client, customer.email).endswith(reverse("mfa_authenticate"))
    assert enter_code(client, totp_code(secret)).status_code == 302
    assert signed_in_as(client) == customer.pk

    settings.SECRET_KEY_FALLBACKS = []  # the old key dropped: the factor can no longer be read
    with pytest.raises(InvalidToken):
        totp_secret_of(customer)
