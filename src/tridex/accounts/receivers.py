"""Reactions to signing in, in every way one can (allauth's pages, its headless API, the admin).

- Every sign-in and failed sign-in goes into the person's history; a sign-in starts the
  session's lifetime clock.
- Failed and successful sign-ins feed the lockout counter of the address tried.
- Signing in or confirming it is you with a second factor is emailed to the account's owner:
  allauth emails the adding and removing of factors itself; the use of one it only signals. A
  stolen recovery code or a phone in the wrong hands shows up in the owner's inbox this way.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.signals import password_reset
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from tridex.accounts import selectors, services
from tridex.accounts.backends import login_email
from tridex.accounts.services import (
    login_failure_record,
    login_lockout_release_email,
    login_success_record,
)
from tridex.accounts.sessions import session_start
from tridex.core.http import client_ip


@receiver(user_logged_in, dispatch_uid="tridex.accounts.login_history")
def _signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None:
        return
    if hasattr(request, "session"):
        session_start(request.session, is_staff=user.is_staff)
    services.login_record(
        user=user,
        succeeded=True,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    if hasattr(request, "session"):
        services.session_track(request=request)


@receiver(user_login_failed, dispatch_uid="tridex.accounts.login_failed_history")
def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    user = selectors.user_by_email(email=login_email(credentials))
    if user is None:
        return
    services.login_record(
        user=user,
        succeeded=False,
        ip=client_ip(request) if request is not None else None,
        user_agent=request.META.get("HTTP_USER_AGENT", "") if request is not None else "",
    )


@receiver(user_login_failed, dispatch_uid="tridex.accounts.lockout_failure")
def _count_failure(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    login_failure_record(email=login_email(credentials))


@receiver(user_logged_in, dispatch_uid="tridex.accounts.lockout_success")
def _reset_failures(sender: Any, user: Any, **kwargs: Any) -> None:
    login_success_record(email=user.email)


@receiver(password_reset, dispatch_uid="tridex.accounts.lockout_reset")
def _unlock_after_reset(sender: Any, user: Any, **kwargs: Any) -> None:
    """Whoever reset the password by the emailed link owns the address: let them in."""
    login_lockout_release_email(email=user.email)


@receiver(mfa_signals.authenticator_used, dispatch_uid="tridex.accounts.factor_used_mail")
def _factor_used(
    sender: Any,
    request: HttpRequest | None,
    user: Any,
    authenticator: Authenticator,
    reauthenticated: bool = False,
    **kwargs: Any,
) -> None:
    context: dict[str, Any] = {
        "authenticator_type": authenticator.type,
        "reauthenticated": reauthenticated,
    }
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        # The signal's copy predates the code being marked used.
        codes = Authenticator.objects.get(pk=authenticator.pk).wrap()
        context["recovery_codes_left"] = len(codes.get_unused_codes())
    get_adapter(request).send_notification_mail("mfa/email/factor_used", user, context)
