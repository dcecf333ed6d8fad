"""Sessions and devices (issue 4 §4, attacks of §8): the list of sessions and sign-ins, ending
sessions, idle and absolute lifetimes, new-device emails, and sessions that every worker sees
the same way."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from importlib import import_module

import pytest
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.accounts.conftest import PASSWORD
from tests.conftest import totp_code, totp_secret_of
from tridex.accounts import services
from tridex.accounts.models import LoginEvent, User
from tridex.accounts.sessions import SEEN_AT, SIGNED_IN_AT
from tridex.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
BANGKOK_IP = "49.228.1.1"  # a Thai mobile network
US_IP = "8.8.8.8"


def sign_in(email: str, *, ip: str = BANGKOK_IP, agent: str = CHROME_WINDOWS) -> Client:
    client = Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    response = client.post("/en/account/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response.content
    if "/2fa/authenticate/" in response["Location"]:  # staff have an authenticator app
        secret = totp_secret_of(User.objects.get(email=email))
        for offset in (0, 30, -30):  # a code is taken once: a second sign-in takes the next
            code = totp_code(secret, time.time() + offset)
            response = client.post("/en/account/2fa/authenticate/", {"code": code})
            if response.status_code == 302:
                break
        assert response.status_code == 302, response.content
    assert "_auth_user_id" in client.session
    return client


def is_signed_in(client: Client) -> bool:
    response = client.get("/en/account/profile/")
    return response.status_code == 200


def store(session_key: str):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


# --- Where sessions live -----------------------------------------------------------------------


def test_sessions_live_where_every_worker_reads_them():
    if settings.REDIS_URL:
        assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
        assert "locmem" not in settings.CACHES["default"]["BACKEND"].lower()
    else:
        # cached_db over a per-process memory cache could serve an ended session from memory.
        assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


# --- The page ----------------------------------------------------------------------------------


def test_the_page_lists_sessions_with_device_place_and_history(customer):
    sign_in(customer.email, ip=US_IP, agent=SAFARI_IPHONE)
    computer = sign_in(customer.email)
    Client(REMOTE_ADDR=US_IP).post(
        "/en/account/login/", {"login": customer.email, "password": "wrong"}
    )
    Client().post("/en/account/login/", {"login": customer.email, "password": "wrong-again"})

    page = computer.get("/en/account/sessions/")
    assert page.status_code == 200
    text = page.text
    assert "Chrome 131 on Windows 10" in text
    assert "Mobile Safari 17.4 on iOS 17.4" in text
    assert "iPhone" in text
    assert "Thailand" in text and "United States" in text
    assert BANGKOK_IP in text and US_IP in text
    assert text.count("This device") == 1
    assert "Sessions and devices" in text  # the account navigation has its entry
    assert text.count("Failed sign-in") == 2
    assert "Local network" in text  # the second failure came from 127.0.0.1
    events = LoginEvent.objects.filter(user=customer)
    assert [e.succeeded for e in events] == [False, False, True, True]


def test_the_page_is_in_thai(make_user):
    user = make_user("mali@example.com", language="th")
    client = sign_in(user.email)
    page = client.get("/th/account/sessions/")
    assert page.status_code == 200
    assert "ประเทศไทย" in page.text  # Thailand, in Thai


def test_failed_sign_ins_of_an_unknown_address_are_not_recorded(customer):
    Client().post("/en/account/login/", {"login": "nobody@example.com", "password": "x"})
    assert not LoginEvent.objects.exists()


def test_a_secondary_address_counts_as_the_users(customer):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=customer, email="second@example.com", verified=True)
    Client().post("/en/account/login/", {"login": "Second@Example.com", "password": "x"})
    (failed,) = LoginEvent.objects.filter(user=customer)
    assert not failed.succeeded


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/en/account/sessions/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/account/login/")


# --- Ending sessions ---------------------------------------------------------------------------


def test_ending_another_session_refuses_its_cookie_from_then_on(customer):
    here = sign_in(customer.email)
    there = sign_in(customer.email, ip=US_IP, agent=SAFARI_IPHONE)
    stolen_cookie = there.cookies[settings.SESSION_COOKIE_NAME].value
    other = UserSession.objects.get(session_key=stolen_cookie)

    response = here.post(f"/en/account/sessions/{other.pk}/end/")
    assert response.status_code == 302
    assert is_signed_in(here)
    assert not is_signed_in(there)
    assert not store(stolen_cookie).exists(stolen_cookie)

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen_cookie
    assert not is_signed_in(replay)


def test_ending_this_session_signs_out(customer):
    client = sign_in(customer.email)
    mine = UserSession.objects.get(session_key=client.session.session_key)
    response = client.post(f"/en/account/sessions/{mine.pk}/end/")
    assert response["Location"] == "/en/account/login/"
    assert not is_signed_in(client)


def test_sign_out_everywhere_else_keeps_this_session(customer):
    here = sign_in(customer.email)
    others = [sign_in(customer.email, ip=US_IP), sign_in(customer.email, agent=SAFARI_IPHONE)]
    response = here.post("/en/account/sessions/end-others/", follow=True)
    assert "You have been signed out everywhere else." in response.text
    assert is_signed_in(here)
    assert not any(is_signed_in(client) for client in others)
    assert UserSession.objects.filter(user=customer).count() == 1


def test_a_user_can_neither_see_nor_end_another_users_sessions(make_user):
    alice, bob = make_user("alice@example.com"), make_user("bob@example.com")
    attacker = sign_in(alice.email)
    victims = [sign_in(bob.email), sign_in(bob.email, ip=US_IP, agent=SAFARI_IPHONE)]
    page = attacker.get("/en/account/sessions/")
    assert US_IP not in page.text and "iPhone" not in page.text

    highest = UserSession.objects.order_by("-pk").first().pk
    for session_id in range(1, highest + 5):
        if UserSession.objects.filter(pk=session_id, user=alice).exists():
            continue
        response = attacker.post(f"/en/account/sessions/{session_id}/end/")
        assert response.status_code == 404, session_id
    assert all(is_signed_in(client) for client in victims)
    assert UserSession.objects.filter(user=bob).count() == 2


def test_ending_is_a_post(customer):
    client = sign_in(customer.email)
    mine = UserSession.objects.get(session_key=client.session.session_key)
    assert client.get(f"/en/account/sessions/{mine.pk}/end/").status_code == 405
    assert client.get("/en/account/sessions/end-others/").status_code == 405
    assert is_signed_in(client)


def test_staff_ending_sessions_is_audited_and_customers_are_not(
    customer, make_user, django_capture_on_commit_callbacks
):
    staff = make_user("staff@example.com", is_staff=True)
    customer_client = sign_in(customer.email)
    sign_in(customer.email, ip=US_IP)
    staff_client = sign_in(staff.email)
    sign_in(staff.email, ip=US_IP)

    with django_capture_on_commit_callbacks(execute=True):
        customer_client.post("/en/account/sessions/end-others/")
        staff_client.post("/en/account/sessions/end-others/")
        staff_target = UserSession.objects.get(user=customer)
        services.user_session_end(user=customer, actor=staff, session_id=staff_target.pk)

    entries = list(AuditEntry.objects.filter(data__action="end_sessions").order_by("id"))
    assert [(e.actor_id, e.object_id) for e in entries] == [
        (staff.pk, str(staff.pk)),
        (staff.pk, str(customer.pk)),
    ]
    assert entries[0].data["sessions"][0]["ip"] == US_IP


def test_staff_deleting_a_session_in_the_admin_ends_it_and_is_audited(customer, make_user):
    owner = make_user("owner@example.com", is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(owner)
    victim = sign_in(customer.email)
    entry = UserSession.objects.get(user=customer)

    url = f"/admin/usersessions/usersession/{entry.pk}/delete/"
    response = admin.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not is_signed_in(victim)
    deleted = AuditEntry.objects.get(action="delete", object_type="usersessions.usersession")
    assert (deleted.actor_id, deleted.object_id) == (owner.pk, str(entry.pk))


def test_staff_see_a_customers_sign_in_history_but_cannot_change_it(customer, make_user):
    owner = make_user("owner@example.com", is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(owner)
    sign_in(customer.email, ip=US_IP)
    event = LoginEvent.objects.get(user=customer)
    listing = admin.get("/admin/accounts/loginevent/")
    assert listing.status_code == 200 and US_IP in listing.text
    assert admin.post(f"/admin/accounts/loginevent/{event.pk}/delete/").status_code == 403
    assert admin.get("/admin/accounts/loginevent/add/").status_code == 403


# --- Lifetimes ---------------------------------------------------------------------------------


def _age(client: Client, *, signed_in: timedelta, seen: timedelta) -> str:
    """Move the session's clocks into the past, as another worker would find them."""
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    session = store(key)
    now = timezone.now()
    session[SIGNED_IN_AT] = (now - signed_in).timestamp()
    session[SEEN_AT] = (now - seen).timestamp()
    session.save()
    return key


def test_an_idle_session_is_signed_out_with_a_message_and_its_cookie_refused(customer, settings):
    settings.TRIDEX_SESSION_IDLE_MINUTES = 30
    client = sign_in(customer.email)
    key = _age(client, signed_in=timedelta(hours=1), seen=timedelta(minutes=29))
    assert is_signed_in(client)  # 29 minutes idle: still fine, and the clock moves on
    key = _age(client, signed_in=timedelta(hours=1), seen=timedelta(minutes=31))

    response = client.get("/en/account/profile/", follow=True)
    assert "/en/account/login/" in response.redirect_chain[0][0]
    assert "had not used the shop for a while" in response.text
    assert not store(key).exists(key)
    assert not UserSession.objects.filter(session_key=key).exists()

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert not is_signed_in(replay)


def test_a_session_past_its_absolute_lifetime_is_signed_out(customer, settings):
    settings.TRIDEX_SESSION_MAX_HOURS = 24
    client = sign_in(customer.email)
    _age(client, signed_in=timedelta(hours=25), seen=timedelta(seconds=5))
    response = client.get("/en/account/profile/", follow=True)
    assert "reached its maximum length" in response.text
    assert not is_signed_in(client)


def test_staff_sessions_have_their_own_shorter_idle_limit(customer, make_user, settings):
    settings.TRIDEX_SESSION_IDLE_MINUTES = 14 * 24 * 60
    settings.TRIDEX_STAFF_SESSION_IDLE_MINUTES = 60
    staff = make_user("staff@example.com", is_staff=True)
    staff_client, customer_client = sign_in(staff.email), sign_in(customer.email)
    for client in (staff_client, customer_client):
        _age(client, signed_in=timedelta(hours=2), seen=timedelta(minutes=61))
    assert is_signed_in(customer_client)
    assert not is_signed_in(staff_client)


def test_a_customer_made_staff_gets_the_staff_limits_at_once(customer, settings):
    settings.TRIDEX_STAFF_SESSION_IDLE_MINUTES = 60
    client = sign_in(customer.email)
    _age(client, signed_in=timedelta(hours=2), seen=timedelta(minutes=61))
    assert is_signed_in(client)  # a customer may be idle for two weeks
    customer.is_staff = True
    customer.save()
    _age(client, signed_in=timedelta(hours=2), seen=timedelta(minutes=61))
    assert not is_signed_in(client)


def test_activity_moves_the_idle_clock_at_most_once_a_minute(customer):
    client = sign_in(customer.email)
    key = _age(client, signed_in=timedelta(hours=1), seen=timedelta(minutes=5))
    before = UserSession.objects.get(session_key=key).last_seen_at
    client.get("/en/account/profile/")
    seen = store(key)[SEEN_AT]
    assert timezone.now().timestamp() - seen < 5
    assert UserSession.objects.get(session_key=key).last_seen_at > before
    client.get("/en/account/profile/")
    assert store(key)[SEEN_AT] == seen  # within the minute: not written again


# --- The app's session tokens (allauth headless) ---------------------------------------------


def _app_sign_in(email: str) -> tuple[Client, str]:
    client = Client(REMOTE_ADDR=BANGKOK_IP, HTTP_USER_AGENT=CHROME_WINDOWS)
    response = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": email, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return client, response.json()["meta"]["session_token"]


def test_the_app_lists_and_ends_sessions_through_the_headless_api(customer):
    browser = sign_in(customer.email, ip=US_IP)
    app, token = _app_sign_in(customer.email)
    listed = app.get("/_allauth/app/v1/auth/sessions", HTTP_X_SESSION_TOKEN=token)
    assert listed.status_code == 200
    sessions = listed.json()["data"]
    assert {s["ip"] for s in sessions} == {US_IP, BANGKOK_IP}
    assert all("last_seen_at" in s for s in sessions)
    browser_id = next(s["id"] for s in sessions if not s["is_current"])

    ended = app.delete(
        "/_allauth/app/v1/auth/sessions",
        {"sessions": [browser_id]},
        content_type="application/json",
        HTTP_X_SESSION_TOKEN=token,
    )
    assert ended.status_code == 200
    assert not is_signed_in(browser)


def test_an_idle_app_token_is_refused(customer, settings):
    settings.TRIDEX_SESSION_IDLE_MINUTES = 30
    app, token = _app_sign_in(customer.email)
    assert app.get("/_allauth/app/v1/auth/session", HTTP_X_SESSION_TOKEN=token).status_code == 200
    session = store(token)
    session[SEEN_AT] = (timezone.now() - timedelta(minutes=31)).timestamp()
    session.save()
    response = app.get("/_allauth/app/v1/auth/session", HTTP_X_SESSION_TOKEN=token)
    assert response.status_code == 410  # allauth: the session token is no longer valid
    assert app.get("/api/v1/cart", HTTP_X_SESSION_TOKEN=token).status_code == 401


# --- New devices -------------------------------------------------------------------------------


def test_a_sign_in_from_a_new_device_is_emailed_in_the_users_language(make_user):
    user = make_user("mali@example.com", language="th")
    sign_in(user.email)  # the first sign-in: every device is new, nothing to warn about
    sign_in(user.email, ip="49.228.9.9")  # same browser, system and country
    assert mail.outbox == []

    sign_in(user.email, ip=US_IP, agent=SAFARI_IPHONE)
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert "เข้าสู่ระบบ" in message.subject  # Thai
    assert "/th/account/sessions/" in message.body
    assert "Mobile Safari 17.4" in message.body
    assert "สหรัฐอเมริกา" in message.body  # United States, in Thai
    assert "<html" in message.alternatives[0][0]


def test_failed_sign_ins_do_not_make_a_device_known(customer):
    sign_in(customer.email)
    Client(REMOTE_ADDR=US_IP, HTTP_USER_AGENT=SAFARI_IPHONE).post(
        "/en/account/login/", {"login": customer.email, "password": "wrong"}
    )
    sign_in(customer.email, ip=US_IP, agent=SAFARI_IPHONE)
    assert len(mail.outbox) == 1
    assert "/en/account/sessions/" in mail.outbox[0].body


# --- Retention ---------------------------------------------------------------------------------


def test_history_past_its_retention_is_purged(customer, settings):
    settings.TRIDEX_LOGIN_HISTORY_DAYS = 30
    now = timezone.now()
    for days in (31, 29):
        services.login_record(
            user=customer, succeeded=True, ip=BANGKOK_IP, user_agent="", now=now - timedelta(days)
        )
    assert services.login_history_purge(now=now) == 1
    assert LoginEvent.objects.get().at == now - timedelta(days=29)


# --- Two workers on PostgreSQL and Redis ------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_session_ended_by_another_worker_process_is_refused_here(make_user, tmp_path):
    """Worker 1 (this process) has the session warm in its caches; worker 2 (a separate
    process) ends it; worker 1 must refuse it on the very next request."""
    user = make_user("two-workers@example.com")
    client = sign_in(user.email)
    assert is_signed_in(client)  # loaded, cached, tracked by this process
    key = client.cookies[settings.SESSION_COOKIE_NAME].value

    db = connection.settings_dict
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    code = (
        "import django; django.setup();"
        "from allauth.usersessions.models import UserSession;"
        "from tridex.accounts.services import user_sessions_end;"
        f"user_sessions_end(actor=None, sessions=UserSession.objects.filter(session_key={key!r}))"
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{host}/{db['NAME']}",
        "SECRET_KEY": settings.SECRET_KEY,
        "TRIDEX_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "tridex.config.settings",
    }
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)

    assert not is_signed_in(client)
    assert not UserSession.objects.filter(session_key=key).exists()


def test_the_daily_tasks_purge_history_and_clear_sessions_past_their_store_expiry(customer):
    from django.contrib.sessions.models import Session

    from tridex.accounts.tasks import clear_expired_sessions, purge_login_history

    client = sign_in(customer.email)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    LoginEvent.objects.update(at=timezone.now() - timedelta(days=400))
    Session.objects.filter(session_key=key).update(expire_date=timezone.now())
    assert purge_login_history.apply().get() == 1
    clear_expired_sessions.apply().get()
    assert not Session.objects.filter(session_key=key).exists()


def test_behind_a_proxy_the_forwarded_address_is_recorded_and_garbage_is_not(customer, settings):
    settings.TRIDEX_TRUSTED_PROXY_HOPS = 1
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"6.6.6.6, {US_IP}")
    client.post("/en/account/login/", {"login": customer.email, "password": PASSWORD})
    forged = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, <script>")
    forged.post("/en/account/login/", {"login": customer.email, "password": "wrong"})
    assert [e.ip for e in LoginEvent.objects.order_by("id")] == [US_IP, "10.0.0.2"]
    assert UserSession.objects.get(user=customer).ip == US_IP


def test_through_the_app_api_a_user_cannot_see_or_end_another_users_sessions(make_user):
    alice, bob = make_user("alice@example.com"), make_user("bob@example.com")
    bob_browser = sign_in(bob.email, ip=US_IP)
    app, token = _app_sign_in(alice.email)
    listed = app.get("/_allauth/app/v1/auth/sessions", HTTP_X_SESSION_TOKEN=token).json()["data"]
    assert {s["ip"] for s in listed} == {BANGKOK_IP}

    for session in UserSession.objects.filter(user=bob):
        response = app.delete(
            "/_allauth/app/v1/auth/sessions",
            {"sessions": [session.pk]},
            content_type="application/json",
            HTTP_X_SESSION_TOKEN=token,
        )
        assert response.status_code == 400
    assert is_signed_in(bob_browser)


def test_an_app_token_whose_session_was_ended_in_the_browser_is_refused(customer):
    browser = sign_in(customer.email, ip=US_IP)
    app, token = _app_sign_in(customer.email)
    browser.post("/en/account/sessions/end-others/")
    response = app.get("/_allauth/app/v1/auth/session", HTTP_X_SESSION_TOKEN=token)
    assert response.status_code == 410
    assert app.get("/api/v1/cart", HTTP_X_SESSION_TOKEN=token).status_code == 401


def test_pages_within_the_minute_write_nothing_for_sessions(customer):
    from django.test.utils import CaptureQueriesContext

    client = sign_in(customer.email)
    with CaptureQueriesContext(connection) as queries:
        assert is_signed_in(client)
        assert is_signed_in(client)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "usersession" not in sql
    assert "UPDATE" not in sql and "INSERT" not in sql
