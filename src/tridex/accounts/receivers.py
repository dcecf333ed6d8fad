"""Signing in or confirming it is you with a second factor is emailed to the account's owner.

allauth emails the adding and removing of factors itself; the use of one it only signals. A
stolen recovery code or a phone in the wrong hands shows up in the owner's inbox this way.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.dispatch import receiver
from django.http import HttpRequest


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
