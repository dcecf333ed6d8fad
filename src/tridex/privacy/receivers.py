"""Reactions to sign-in and sign-up: a person whose account is about to be deleted is told
when they sign in (and how to cancel); the sign-up form's marketing choice is recorded."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import user_signed_up
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import formats
from django.utils.translation import gettext as _

from tridex.privacy import selectors, services
from tridex.privacy.models import ConsentSource, Purpose


@receiver(user_logged_in, dispatch_uid="tridex.privacy.deletion_notice")
def _deletion_notice(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "_messages"):
        return
    pending = selectors.erasure_pending(user=user)
    if pending is not None and pending.erase_after is not None:
        when = formats.date_format(pending.erase_after, "DATE_FORMAT")
        messages.warning(
            request,
            _("Your account will be deleted on %(date)s. You can cancel this on your Privacy page.")
            % {"date": when},
        )


@receiver(user_signed_up, dispatch_uid="tridex.privacy.signup_consent")
def _signup_consent(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or request.method != "POST":
        return
    services.consent_record(
        user=user,
        purpose=Purpose.MARKETING_EMAIL,
        granted=request.POST.get("marketing_email") == "on",
        source=ConsentSource.SIGNUP,
    )
