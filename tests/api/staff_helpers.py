"""Staff members in a role, signed in through allauth's headless API, for the staff API tests."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.test import Client

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
    """Sign ``user`` in as an app does and return the header that carries the session."""
    response = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": user.email, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return {"X-Session-Token": response.json()["meta"]["session_token"]}


def signed_in(client: Client, code: str | None, **kwargs: object) -> tuple[User, dict[str, str]]:
    user = member(code, **kwargs)  # type: ignore[arg-type]
    return user, token_headers(client, user)
