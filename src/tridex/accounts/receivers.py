"""Failed and successful sign-ins feed the lockout counter of the address tried."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import password_reset
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from tridex.accounts.backends import login_email
from tridex.accounts.services import (
    login_failure_record,
    login_lockout_release_email,
    login_success_record,
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
