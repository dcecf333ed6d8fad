"""Writes to customer profiles and address books.

Every rule about what makes an address deliverable lives here, so the storefront, the API and
imports all accept and reject the same input. Errors carry the offending field's name so forms
can put the message next to it.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries

from tridex.accounts.devices import device_describe
from tridex.accounts.models import Address, LoginEvent, LoginLockout, User
from tridex.accounts.provinces import province_resolve
from tridex.accounts.selectors import grant_exceeds, normalize_login_email
from tridex.accounts.sessions import TRACKED
from tridex.core import events
from tridex.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tridex.core.http import client_ip
from tridex.core.locking import lock_rows

MAX_ADDRESSES_PER_USER = 50

ADDRESS_FIELDS = (
    "full_name",
    "company",
    "tax_id",
    "phone",
    "country",
    "line1",
    "line2",
    "subdistrict",
    "district",
    "province",
    "city",
    "region",
    "postcode",
)
DEFAULT_KINDS = ("shipping", "billing")

THAI_POSTCODE = re.compile(r"^[1-9]\d{4}$")
# Postcode formats of the countries the shop ships to most; elsewhere any short code is accepted
# (and none required), because a wrong rule is worse than no rule for a customer abroad.
POSTCODE_FORMATS: dict[str, re.Pattern[str]] = {
    "US": re.compile(r"^\d{5}(-\d{4})?$"),
    "GB": re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$"),
    "CA": re.compile(r"^[A-Z]\d[A-Z] ?\d[A-Z]\d$"),
    "AU": re.compile(r"^\d{4}$"),
    "SG": re.compile(r"^\d{6}$"),
    "MY": re.compile(r"^\d{5}$"),
    "JP": re.compile(r"^\d{3}-?\d{4}$"),
    "DE": re.compile(r"^\d{5}$"),
    "FR": re.compile(r"^\d{5}$"),
    "CN": re.compile(r"^\d{6}$"),
    "IN": re.compile(r"^\d{6}$"),
    "LA": re.compile(r"^\d{5}$"),
    "VN": re.compile(r"^\d{6}$"),
    "KH": re.compile(r"^\d{5,6}$"),
    "MM": re.compile(r"^\d{5}$"),
}
REGION_REQUIRED = frozenset({"US", "CA", "AU"})
PHONE_ALLOWED = re.compile(r"^\+?[\d\s\-().]+$")


def profile_update(
    *,
    user: User,
    first_name: str,
    last_name: str,
    phone: str = "",
    preferred_language: str,
) -> User:
    """Change the customer's name, phone and the language of their pages and emails."""
    first_name, last_name = first_name.strip(), last_name.strip()
    _check_length("first_name", first_name, 150)
    _check_length("last_name", last_name, 150)
    languages = {code for code, _name in settings.LANGUAGES}
    if preferred_language not in languages:
        raise ValidationFailed(
            _("Choose one of the languages the shop is available in."),
            code="invalid_language",
            field="preferred_language",
        )
    with transaction.atomic():
        user = lock_rows(User.objects.filter(pk=user.pk)).get()
        user.first_name = first_name
        user.last_name = last_name
        user.phone = _clean_phone(phone)
        user.preferred_language = preferred_language
        user.save(
            update_fields=["first_name", "last_name", "phone", "preferred_language"],
        )
    return user


def address_create(
    *,
    user: User,
    is_default_shipping: bool = False,
    is_default_billing: bool = False,
    **fields: Any,
) -> Address:
    """Add an address to the user's book; the first one becomes both defaults."""
    values = _clean_address(_complete(fields))
    with transaction.atomic():
        existing = list(lock_rows(Address.objects.filter(user=user)).only("pk"))
        if len(existing) >= MAX_ADDRESSES_PER_USER:
            raise Conflict(
                _("Your address book is full. Delete an address you no longer use first."),
                code="address_book_full",
            )
        address = Address.objects.create(user=user, **values)
        first = not existing
        for kind, wanted in (("shipping", is_default_shipping), ("billing", is_default_billing)):
            if wanted or first:
                _make_default(address, kind)
    return address


def address_update(
    *,
    user: User,
    address_id: int,
    is_default_shipping: bool | None = None,
    is_default_billing: bool | None = None,
    **changes: Any,
) -> Address:
    """Change some fields of one of the user's addresses and re-check the whole address.

    Unsetting a default is not done here: a default moves when another address takes it.
    """
    unknown = set(changes) - set(ADDRESS_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Unknown address field."), code="unknown_field", field=sorted(unknown)[0]
        )
    with transaction.atomic():
        address = _locked_address(user=user, address_id=address_id)
        current = {name: getattr(address, name) for name in ADDRESS_FIELDS}
        current["country"] = str(address.country)
        values = _clean_address({**current, **changes})
        for name, value in values.items():
            setattr(address, name, value)
        address.save()
        if is_default_shipping:
            _make_default(address, "shipping")
        if is_default_billing:
            _make_default(address, "billing")
    return address


def address_delete(*, user: User, address_id: int) -> None:
    """Remove an address; a default it held passes to the most recently added remaining one."""
    with transaction.atomic():
        address = _locked_address(user=user, address_id=address_id)
        held = [kind for kind in DEFAULT_KINDS if getattr(address, f"is_default_{kind}")]
        address.delete()
        successor = Address.objects.filter(user=user).order_by("-created_at", "-pk").first()
        if successor is not None:
            for kind in held:
                _make_default(successor, kind)


def address_set_default(*, user: User, address_id: int, kind: str) -> Address:
    """Make the address the user's default for shipping or billing."""
    if kind not in DEFAULT_KINDS:
        raise ValidationFailed(
            _("Choose shipping or billing."), code="invalid_default_kind", field="kind"
        )
    with transaction.atomic():
        address = _locked_address(user=user, address_id=address_id)
        _make_default(address, kind)
    return address


def _locked_address(*, user: User, address_id: int) -> Address:
    """The address if it belongs to ``user``; someone else's is reported as missing."""
    try:
        return lock_rows(Address.objects.filter(user=user, pk=address_id)).get()
    except (Address.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Address not found."), code="address_not_found") from None


def _make_default(address: Address, kind: str) -> None:
    flag = f"is_default_{kind}"
    # Clear first: the partial unique index allows one default per user at any instant.
    Address.objects.filter(user_id=address.user_id, **{flag: True}).exclude(pk=address.pk).update(
        **{flag: False}
    )
    Address.objects.filter(pk=address.pk).update(**{flag: True})
    setattr(address, flag, True)


def address_clean(*, fields: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise an address without saving it (an order's delivery address)."""
    return _clean_address(_complete(fields))


def _complete(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(ADDRESS_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Unknown address field."), code="unknown_field", field=sorted(unknown)[0]
        )
    values = {name: fields.get(name, "") for name in ADDRESS_FIELDS}
    values["country"] = fields.get("country") or "TH"
    return values


def _clean_address(raw: dict[str, Any]) -> dict[str, Any]:
    """Normalise and validate a full set of address fields; return what to store."""
    values = {name: " ".join(str(raw.get(name) or "").split()) for name in ADDRESS_FIELDS}
    for name in ADDRESS_FIELDS:
        _check_length(name, values[name], getattr(Address._meta.get_field(name), "max_length", 0))
    values["country"] = values["country"].upper()
    if values["country"] not in dict(countries):
        raise ValidationFailed(_("Choose a country."), code="invalid_country", field="country")
    _require(values, "full_name", _("Enter the recipient's name."))
    _require(values, "line1", _("Enter the house number, building and street."))
    values["phone"] = _clean_phone(values["phone"])
    if values["country"] == "TH":
        _clean_thai(values)
    else:
        _clean_international(values)
    return values


def _clean_thai(values: dict[str, str]) -> None:
    _require(values, "province", _("Choose the province."))
    province = province_resolve(values["province"])
    if province is None:
        raise ValidationFailed(
            _("Choose a province from the list."), code="invalid_province", field="province"
        )
    values["province"] = province.code
    _require(values, "district", _("Enter the district (amphoe or khet)."))
    _require(values, "subdistrict", _("Enter the subdistrict (tambon or khwaeng)."))
    _require(values, "postcode", _("Enter the 5-digit postcode."))
    if not THAI_POSTCODE.match(values["postcode"]):
        raise ValidationFailed(
            _("A Thai postcode has 5 digits, such as 10110."),
            code="invalid_postcode",
            field="postcode",
        )
    values["city"] = values["region"] = ""


def _clean_international(values: dict[str, str]) -> None:
    country = values["country"]
    _require(values, "city", _("Enter the city or town."))
    if country in REGION_REQUIRED:
        _require(values, "region", _("Enter the state, province or region."))
    values["postcode"] = values["postcode"].upper()
    pattern = POSTCODE_FORMATS.get(country)
    if pattern is not None:
        _require(values, "postcode", _("Enter the postcode."))
        if not pattern.match(values["postcode"]):
            raise ValidationFailed(
                _("This postcode does not look right for the country you chose."),
                code="invalid_postcode",
                field="postcode",
            )
    values["province"] = values["district"] = values["subdistrict"] = ""


def _clean_phone(phone: str) -> str:
    phone = " ".join(phone.split())
    if not phone:
        return ""
    digits = re.sub(r"\D", "", phone)
    if not PHONE_ALLOWED.match(phone) or not 6 <= len(digits) <= 15:
        raise ValidationFailed(
            _("Enter a phone number of 6 to 15 digits, such as 081 234 5678 or +66 81 234 5678."),
            code="invalid_phone",
            field="phone",
        )
    return phone


def _require(values: dict[str, str], name: str, message: str) -> None:
    if not values[name]:
        raise ValidationFailed(message, code="required", field=name)


def _check_length(name: str, value: str, limit: int) -> None:
    if limit and len(value) > limit:
        raise ValidationFailed(
            _("Use at most %(limit)d characters.") % {"limit": limit},
            code="too_long",
            field=name,
        )


# --- Staff roles -----------------------------------------------------------------------------


def roles_sync(*, reset: bool = False) -> dict[str, int]:
    """Create the role groups that are missing, with their starting permissions.

    An existing group keeps what an Owner made of it, unless ``reset`` puts every role back to
    its definition. Returns the number of permissions each role's group holds.
    """
    from django.contrib.auth.models import Group, Permission

    from tridex.accounts.roles import ROLES

    permissions = list(Permission.objects.select_related("content_type"))
    held = {}
    with transaction.atomic():
        for role in ROLES.values():
            group, created = Group.objects.get_or_create(name=role.group_name)
            if created or reset:
                group.permissions.set(
                    [
                        p
                        for p in permissions
                        if role.allows(
                            p.content_type.app_label,
                            p.content_type.model,
                            p.codename.split("_", 1)[0],
                        )
                    ]
                )
            held[role.group_name] = group.permissions.count()
    return held


# --- Sign-in history and sessions --------------------------------------------------------------

SESSIONS_ENDED = "accounts.sessions_ended"
logger = logging.getLogger(__name__)


def login_record(
    *,
    user: User,
    succeeded: bool,
    ip: str | None,
    user_agent: str,
    now: datetime | None = None,
) -> LoginEvent:
    """Add a sign-in or failed sign-in to the user's history.

    A successful sign-in from a browser, system and country the user has never signed in from
    is emailed to them, except their very first sign-in (right after signing up, there is no
    "new" device to warn about: every device is new).
    """
    device = device_describe(user_agent=user_agent, ip=ip)
    # Asked before this sign-in is written, and only for a successful one: failed sign-ins
    # (what brute force produces) never send the mail, so they do not pay for the question.
    notify = (
        succeeded
        and settings.TRIDEX_NEW_DEVICE_EMAIL
        and _is_new_device(user=user, fingerprint=device.fingerprint)
    )
    event = LoginEvent.objects.create(
        user=user,
        at=now or timezone.now(),
        succeeded=succeeded,
        ip=_valid_ip(ip),
        user_agent=(user_agent or "")[:400],
        browser=device.browser[:100],
        os=device.os[:100],
        device=device.kind[:100],
        country=device.country,
        fingerprint=device.fingerprint,
    )
    if notify:
        _send_new_device_mail(user=user, event=event)
    return event


def _is_new_device(*, user: User, fingerprint: str) -> bool:
    """Whether the user has signed in before, but never from this device."""
    earlier = LoginEvent.objects.filter(user=user, succeeded=True)
    return earlier.exists() and not earlier.filter(fingerprint=fingerprint).exists()


def login_history_purge(*, now: datetime | None = None) -> int:
    """Delete history entries older than TRIDEX_LOGIN_HISTORY_DAYS; return how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.TRIDEX_LOGIN_HISTORY_DAYS)
    deleted, _by_model = LoginEvent.objects.filter(at__lt=cutoff).delete()
    return deleted


def user_session_end(*, user: User, actor: User, session_id: int) -> UserSession:
    """End one of ``user``'s sessions; another user's session id is not found."""
    session = UserSession.objects.filter(user=user, pk=session_id).first()
    if session is None:
        raise NotFound(_("That session was not found."), code="session_not_found")
    user_sessions_end(actor=actor, sessions=[session])
    return session


def user_sessions_end_others(*, user: User, current_session_key: str | None) -> int:
    """End every session of ``user`` but the one making the request; return how many."""
    others = list(UserSession.objects.filter(user=user).exclude(session_key=current_session_key))
    user_sessions_end(actor=user, sessions=others)
    return len(others)


def user_sessions_end(*, actor: User | None, sessions: Iterable[UserSession]) -> None:
    """Delete the sessions from the session store (every worker then refuses their cookies and
    tokens) and from the list; announce it so staff actions reach the audit log."""
    sessions = list(sessions)
    if not sessions:
        return
    with transaction.atomic():
        for session in sessions:
            session.end()
        events.emit(
            SESSIONS_ENDED,
            actor_id=actor.pk if actor is not None else None,
            sessions=[
                {"user_id": s.user_id, "id": s.pk, "ip": s.ip, "user_agent": s.user_agent[:200]}
                for s in sessions
            ],
        )


def session_discard(*, session_key: str) -> None:
    """Forget an expired session: from the store and from its owner's list."""
    with transaction.atomic():
        session_store_delete(session_key=session_key)
        UserSession.objects.filter(session_key=session_key).delete()


def sessions_clear_expired() -> None:
    """Delete sessions whose store expiry has passed (Django's ``clearsessions``)."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


def session_store_delete(*, session_key: str) -> None:
    """Delete the session from the store (database and cache): its cookie or token is dead."""
    import_module(settings.SESSION_ENGINE).SessionStore().delete(session_key)


def session_track(*, request: HttpRequest) -> None:
    """Record the request's address, browser and time on its session's entry in the list, and
    mark the session as listed. A request with no address to record (one built in code, as by
    force_login) is not listed, so a later request with an address lists it."""
    if not client_ip(request):
        return
    UserSession.objects.create_from_request(request)
    request.session[TRACKED] = request.session.session_key


def session_mark_seen(*, session_key: str) -> None:
    """Move the session's last-seen time to now (a token used by the app)."""
    UserSession.objects.filter(session_key=session_key).update(last_seen_at=timezone.now())


def _valid_ip(ip: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(ip)) if ip else None
    except ValueError:
        return None


def _send_new_device_mail(*, user: User, event: LoginEvent) -> None:
    from allauth.account.adapter import get_adapter

    from tridex.accounts.adapter import user_language

    with translation.override(user_language(user)):
        context = {
            "user": user,
            "event": event,
            "device": event.device_label,
            "place": event.place,
            "sessions_url": settings.TRIDEX_SITE_URL.rstrip("/") + reverse("accounts:sessions"),
        }
        try:
            get_adapter().send_mail("account/email/new_device", user.email, context)
        except Exception:  # a mail server that is down must not stop the sign-in
            logger.exception("new-device email to user %s failed", user.pk)


# --- Sign-in lockout ---------------------------------------------------------------------------


def login_failure_record(*, email: str) -> LoginLockout | None:
    """Count a failed sign-in to ``email``; the ``TRIDEX_LOGIN_LOCKOUT_ATTEMPTS``-th in a row
    locks sign-ins to it for ``TRIDEX_LOGIN_LOCKOUT_MINUTES``.

    Failures while locked are not counted (the lock does not grow while someone keeps trying),
    and a run of failures older than one lock period starts over.
    """
    address = normalize_login_email(email)
    attempts = settings.TRIDEX_LOGIN_LOCKOUT_ATTEMPTS
    if not address or attempts <= 0:
        return None
    period = timedelta(minutes=settings.TRIDEX_LOGIN_LOCKOUT_MINUTES)
    now = timezone.now()
    with transaction.atomic():
        LoginLockout.objects.get_or_create(email=address)
        lockout = lock_rows(LoginLockout.objects.filter(email=address)).get()
        if lockout.locked_until and lockout.locked_until > now:
            return lockout
        if lockout.last_failure_at is None or lockout.last_failure_at < now - period:
            lockout.failures = 0
        lockout.failures += 1
        lockout.last_failure_at = now
        lockout.user = User.objects.filter(email__iexact=address).first()
        if lockout.failures >= attempts:
            lockout.locked_until = now + period
        lockout.save()
    return lockout


def login_success_record(*, email: str) -> None:
    """Forget the failed sign-ins to ``email``: a run of failures ends with a success."""
    address = normalize_login_email(email)
    if address:
        expired = Q(locked_until__isnull=True) | Q(locked_until__lte=timezone.now())
        LoginLockout.objects.filter(expired, email=address).delete()


def login_lockout_release_email(*, email: str) -> None:
    """Unlock sign-ins to ``email`` (its owner just proved it by resetting the password)."""
    LoginLockout.objects.filter(email=normalize_login_email(email)).delete()


def login_lockout_release(*, lockout: LoginLockout) -> LoginLockout:
    """Unlock sign-ins to the lockout's address at once and clear its failures (staff)."""
    with transaction.atomic():
        lockout = lock_rows(LoginLockout.objects.filter(pk=lockout.pk)).get()
        lockout.locked_until = None
        lockout.failures = 0
        lockout.save(update_fields=["locked_until", "failures"])
    return lockout


def staff_roles_set(*, granter: User, user: User, role_codes: list[str]) -> list[str]:
    """Give a staff member exactly the roles ``role_codes`` (codes of ``roles.ROLES``).

    The admin's rules: nobody but a superuser changes their own roles, and a role is given only
    by someone who holds everything it allows. Returns the codes the member now holds.
    """
    from django.contrib.auth.models import Group

    from tridex.accounts.roles import ROLES

    unknown = sorted(set(role_codes) - set(ROLES))
    if unknown:
        raise ValidationFailed(
            _("Unknown role “%(code)s”.") % {"code": unknown[0]}, code="unknown_role", field="roles"
        )
    if not user.is_staff:
        raise Conflict(_("Only staff members hold roles."), code="not_staff", field="roles")
    if granter.pk == user.pk and not granter.is_superuser:
        raise Forbidden(_("You cannot change your own roles."), code="own_role")
    with transaction.atomic():
        lock_rows(User.objects.filter(pk=user.pk)).get()
        names = {ROLES[code].group_name for code in role_codes}
        groups = list(Group.objects.filter(name__in=names))
        held = set(user.groups.values_list("pk", flat=True))
        for group in groups:
            if group.pk not in held and grant_exceeds(granter=granter, group=group):
                raise Forbidden(
                    _("You cannot give “%(name)s”: it allows more than you may do.")
                    % {"name": group.name},
                    code="role_beyond_own",
                    field="roles",
                )
        kept_other = user.groups.exclude(name__in=[r.group_name for r in ROLES.values()])
        user.groups.set([*groups, *kept_other])
    by_name = {role.group_name: code for code, role in ROLES.items()}
    return sorted(by_name[g.name] for g in groups)


def login_lockouts_purge() -> int:
    """Delete the records of addresses that are not locked and failed no sign-in for a day.

    Every address tried makes a record, including made-up ones; this keeps the table to what
    staff may still want to look at. Returns how many were deleted.
    """
    now = timezone.now()
    stale = Q(last_failure_at__lt=now - timedelta(days=1)) | Q(last_failure_at__isnull=True)
    unlocked = Q(locked_until__isnull=True) | Q(locked_until__lte=now)
    deleted, _by_model = LoginLockout.objects.filter(stale & unlocked).delete()
    return deleted
