"""Customer pages: profile and address book. Thin: parse a form, call a service, redirect."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tridex.accounts import selectors, services
from tridex.accounts.forms import AddressForm, ProfileForm, form_add_domain_error
from tridex.accounts.models import Address, User
from tridex.core.errors import DomainError, NotFound


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    current_language = translation.get_language() or settings.LANGUAGE_CODE
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "preferred_language": user.preferred_language or current_language,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.profile_update(user=user, **form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            return _after_profile_saved(request, user.preferred_language)
    context = {
        "form": form,
        "default_shipping": selectors.address_default(user=user, kind="shipping"),
    }
    return render(request, "accounts/profile.html", context)


def _after_profile_saved(request: HttpRequest, language: str) -> HttpResponse:
    """Confirm in the chosen language and move to that language's URL and cookie."""
    with translation.override(language):
        messages.success(request, _("Your profile has been saved."))
        response = HttpResponseRedirect(reverse("accounts:profile"))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
    )
    return response


@login_required
@require_http_methods(["GET"])
def address_list(request: HttpRequest) -> HttpResponse:
    addresses = selectors.address_list(user=request.user)  # type: ignore[arg-type]
    return render(request, "accounts/address_list.html", {"addresses": addresses})


@login_required
@require_http_methods(["GET", "POST"])
def address_create(request: HttpRequest) -> HttpResponse:
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.address_create(
                user=request.user,  # type: ignore[arg-type]
                is_default_shipping=form.cleaned_data["is_default_shipping"],
                is_default_billing=form.cleaned_data["is_default_billing"],
                **form.address_fields(),
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The address has been added."))
            return redirect("accounts:address_list")
    return render(request, "accounts/address_form.html", {"form": form, "address": None})


@login_required
@require_http_methods(["GET", "POST"])
def address_update(request: HttpRequest, address_id: int) -> HttpResponse:
    address = _own_address(request, address_id)
    initial = {name: getattr(address, name) for name in services.ADDRESS_FIELDS}
    initial["country"] = str(address.country)
    initial["is_default_shipping"] = address.is_default_shipping
    initial["is_default_billing"] = address.is_default_billing
    form = AddressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.address_update(
                user=request.user,  # type: ignore[arg-type]
                address_id=address.pk,
                is_default_shipping=form.cleaned_data["is_default_shipping"],
                is_default_billing=form.cleaned_data["is_default_billing"],
                **form.address_fields(),
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The address has been saved."))
            return redirect("accounts:address_list")
    return render(request, "accounts/address_form.html", {"form": form, "address": address})


@login_required
@require_http_methods(["GET", "POST"])
def address_delete(request: HttpRequest, address_id: int) -> HttpResponse:
    address = _own_address(request, address_id)
    if request.method == "POST":
        try:
            services.address_delete(user=request.user, address_id=address.pk)  # type: ignore[arg-type]
        except NotFound:
            raise Http404 from None
        messages.success(request, _("The address has been deleted."))
        return redirect("accounts:address_list")
    return render(request, "accounts/address_confirm_delete.html", {"address": address})


@login_required
@require_POST
def address_set_default(request: HttpRequest, address_id: int) -> HttpResponse:
    address = _own_address(request, address_id)
    kind = request.POST.get("kind", "")
    try:
        services.address_set_default(
            user=request.user,  # type: ignore[arg-type]
            address_id=address.pk,
            kind=kind,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return render(
            request,
            "accounts/address_list.html",
            {"addresses": selectors.address_list(user=request.user)},  # type: ignore[arg-type]
            status=error.status,
        )
    if kind == "shipping":
        messages.success(request, _("This is now your default delivery address."))
    else:
        messages.success(request, _("This is now your default billing address."))
    return redirect("accounts:address_list")


def _own_address(request: HttpRequest, address_id: int) -> Address:
    try:
        return selectors.address_get(user=request.user, address_id=address_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None


@login_required
@require_http_methods(["GET"])
def session_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context = {
        "sessions": selectors.session_list(
            user=user, current_session_key=request.session.session_key
        ),
        "history": selectors.login_history(user=user),
    }
    return render(request, "accounts/sessions.html", context)


@login_required
@require_POST
def session_end(request: HttpRequest, session_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        ended = services.user_session_end(user=user, actor=user, session_id=session_id)
    except NotFound:
        raise Http404 from None
    if ended.session_key == request.session.session_key:
        logout(request)
        messages.success(request, _("You have signed out of this device."))
        return redirect("account_login")
    messages.success(request, _("The session has been ended."))
    return redirect("accounts:sessions")


@login_required
@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    count = services.user_sessions_end_others(
        user=user, current_session_key=request.session.session_key
    )
    if count:
        messages.success(request, _("You have been signed out everywhere else."))
    else:
        messages.info(request, _("There were no other sessions to end."))
    return redirect("accounts:sessions")
