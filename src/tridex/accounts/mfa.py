"""Two-factor authentication for staff: enrolment is required before the back office.

allauth's MFA app does the enrolling and the checking of codes and keys. What Tridex adds is
the rule that a staff account must have enrolled a factor before it reaches the back office
(``/admin/``) or the staff API (``/api/v1/staff/``), enforced in one place,
``StaffMFAMiddleware``; token-authenticated API calls, which that middleware cannot see, ask
``mfa_enrolment_required`` themselves and raise ``MFAEnrolmentRequired``.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from tridex.core.errors import DomainError

BACK_OFFICE_PREFIX = "/admin/"
STAFF_API_PREFIX = "/api/v1/staff/"
# Recovery codes only back up a real factor; alone they do not count as enrolment.
ENROLLING_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


class MFAEnrolmentRequired(DomainError):
    code = "mfa_enrolment_required"
    status = 403

    def __init__(self) -> None:
        super().__init__(
            _(
                "Staff accounts must set up two-factor authentication (an authenticator app "
                "or a security key) before they can use the back office."
            )
        )


def mfa_enrolment_required(user: Any) -> bool:
    """Tell whether ``user`` is staff who must still enrol a factor to reach staff pages."""
    if not settings.TRIDEX_STAFF_MFA_REQUIRED:
        return False
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return False
    return not Authenticator.objects.filter(user_id=user.pk, type__in=ENROLLING_TYPES).exists()


class StaffMFAMiddleware:
    """Send staff without a factor from the back office to enrolment; refuse the staff API.

    It acts on the path, before URL routing, so every page under the two prefixes is covered,
    including ones added later.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        staff_api = _under(path, STAFF_API_PREFIX)
        if (staff_api or _under(path, BACK_OFFICE_PREFIX)) and mfa_enrolment_required(request.user):
            return _refuse(request, api=staff_api)
        return self.get_response(request)


def _under(path: str, prefix: str) -> bool:
    """Tell whether ``path`` is the prefix's folder itself (with or without its slash) or
    anything inside it."""
    return path.startswith(prefix) or path == prefix.rstrip("/")


def _refuse(request: HttpRequest, *, api: bool) -> HttpResponse:
    error = MFAEnrolmentRequired()
    if api:
        return JsonResponse({"field": None, **error.as_dict()}, status=error.status)
    messages.warning(request, error.message)
    return HttpResponseRedirect(reverse("mfa_index"))


class MFAAdapter(DefaultMFAAdapter):
    """allauth's MFA adapter with the factors' secrets (an authenticator app's key, the seed of
    the recovery codes) encrypted in the database, so that a leaked backup or a read-only SQL
    injection does not hand out everyone's second factor.

    The key is derived from ``SECRET_KEY``; ``SECRET_KEY_FALLBACKS`` still decrypt, so rotating
    the secret key the way Django documents keeps every enrolled factor working. A value written
    before encryption was on (no prefix) is read as it is.
    """

    PREFIX = "fernet:"

    def encrypt(self, text: str) -> str:
        return self.PREFIX + _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        if not encrypted_text.startswith(self.PREFIX):
            return encrypted_text
        return _fernet().decrypt(encrypted_text.removeprefix(self.PREFIX).encode()).decode()


def _fernet() -> MultiFernet:
    """One Fernet key per secret key, the current one first (it encrypts; all decrypt)."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([Fernet(_derived_key(secret)) for secret in secrets])


def _derived_key(secret: str) -> bytes:
    digest = hashlib.sha256(b"tridex.accounts.mfa:" + secret.encode()).digest()
    return base64.urlsafe_b64encode(digest)
