"""Staff members in a role, signed in through allauth's headless API, for the staff API tests."""

from __future__ import annotations

import time

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.http import HttpResponse
from django.test import Client

from tests.conftest import totp_code, totp_secret_of
from tridex.accounts.models import User
from tridex.accounts.roles import ROLES
from tridex.accounts.services import roles_sync

PASSWORD = "Sofa-cover-2026"


def member(code: str | None, email: str | None = None, *, staff: bool = True) -> User:
    """A user holding the role ``code`` (None: no role), staff unless told otherwise."""
    roles_sync()
    user = User.objects.create_user(
        email=email or f"{code or 'nobody'}@example.com", password=PASSWORD, is_staff=staff
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    if code:
        user.groups.set([Group.objects.get(name=ROLES[code].group_name)])
    return user


def token_headers(client: Client, user: User) -> dict[str, str]:
    """Sign ``user`` in as an app does (with the second factor, for staff, who have one) and
    return the header that carries the session."""
    response = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": user.email, "password": PASSWORD},
        content_type="application/json",
    )
    token = response.json()["meta"].get("session_token")
    if response.status_code == 401 and _second_factor_pending(response.json()):
        response = _second_factor(client, user, token)
    assert response.status_code == 200, response.content
    return {"X-Session-Token": response.json()["meta"]["session_token"]}


def _second_factor_pending(body: dict) -> bool:
    return any(
        flow["id"] == "mfa_authenticate" and flow.get("is_pending")
        for flow in body["data"]["flows"]
    )


def _second_factor(client: Client, user: User, token: str) -> HttpResponse:
    """Answer the app's second-factor step with the code of the user's authenticator app; a
    code is accepted once, so a second sign-in in the same 30 seconds takes the next one."""
    secret = totp_secret_of(user)
    for offset in (0, 30, -30):
        response = client.post(
            "/_allauth/app/v1/auth/2fa/authenticate",
            {"code": totp_code(secret, time.time() + offset)},
            content_type="application/json",
            headers={"X-Session-Token": token},
        )
        if response.status_code == 200:
            break
    return response


def signed_in(client: Client, code: str | None, **kwargs: object) -> tuple[User, dict[str, str]]:
    user = member(code, **kwargs)  # type: ignore[arg-type]
    return user, token_headers(client, user)
