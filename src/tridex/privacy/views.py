"""Privacy pages: the customer's privacy centre (consents, export, account deletion), the export
download, the cookie banner's answer and the privacy notice. Thin: parse, call a service,
redirect."""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tridex.core.errors import DomainError, NotFound
from tridex.privacy import selectors, services
from tridex.privacy.cookies import consent_cookie_set
from tridex.privacy.forms import ConsentForm
from tridex.privacy.models import ConsentSource, Purpose
from tridex.privacy.storage import export_storage


@login_required
@require_http_methods(["GET", "POST"])
def privacy_center(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ConsentForm(request.POST or None, initial=selectors.consent_state(user=user))
    if request.method == "POST" and form.is_valid():
        services.consents_update(user=user, choices=form.choices(), source=ConsentSource.ACCOUNT)
        messages.success(request, _("Your choices have been saved."))
        response = redirect("privacy:center")
        # This browser follows the choice at once (the banner and analytics hook read the cookie).
        consent_cookie_set(
            response,
            choice="all" if form.choices()[Purpose.ANALYTICS] else "necessary",
            visitor_id=request.cookie_consent.visitor_id,  # type: ignore[attr-defined]  # ConsentMiddleware
        )
        return response
    context = {
        "form": form,
        "history": selectors.consent_history(user=user, limit=20),
        "requests": selectors.privacy_request_list(user=user),
        "export_pending": selectors.export_pending(user=user),
        "erasure": selectors.erasure_pending(user=user),
    }
    return render(request, "privacy/center.html", context)


@login_required
@require_POST
def export_request(request: HttpRequest) -> HttpResponse:
    try:
        services.export_request(user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("We are preparing your data. We will email you a download link.")
        )
    return redirect("privacy:center")


@login_required
@require_http_methods(["GET"])
def export_download(request: HttpRequest, token: str) -> HttpResponseBase:
    try:
        export = services.export_claim(user=request.user, token=token)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return render(request, "privacy/link_expired.html", {"error": error}, status=error.status)
    return FileResponse(
        export_storage().open(export.export_file, "rb"),
        as_attachment=True,
        filename=f"tridex-data-{export.pk}.zip",
        content_type="application/zip",
    )


@login_required
@require_http_methods(["GET"])
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    try:
        privacy_request = selectors.privacy_request_get(user=request.user, request_id=request_id)
    except NotFound:
        raise Http404 from None
    return render(request, "privacy/request_detail.html", {"privacy_request": privacy_request})


@login_required
@reauthentication_required(allow_get=True)
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """Confirm, then schedule the deletion (the POST needs a fresh sign-in: allauth asks)."""
    if request.method == "POST":
        try:
            services.erasure_request(user=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.warning(
                request,
                _("Your account is scheduled for deletion. You can cancel until the date shown."),
            )
        return redirect("privacy:center")
    pending = selectors.erasure_pending(user=request.user)
    context = {"erasure": pending, "grace_days": settings.TRIDEX_PRIVACY_DELETION_GRACE_DAYS}
    return render(request, "privacy/account_delete.html", context)


@login_required
@require_POST
def account_delete_cancel(request: HttpRequest) -> HttpResponse:
    try:
        services.erasure_cancel(user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your account will not be deleted."))
    return redirect("privacy:center")


@require_POST
def cookie_choice(request: HttpRequest) -> HttpResponse:
    """The cookie banner's answer; works without JavaScript (a plain form post)."""
    nxt = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        nxt = reverse("storefront:home")
    cookie = request.cookie_consent  # type: ignore[attr-defined]  # read by ConsentMiddleware
    choice = request.POST.get("choice", "")
    try:
        services.cookie_choice_record(
            choice=choice, visitor_id=cookie.visitor_id, user=request.user
        )
    except DomainError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(nxt)
    response = HttpResponseRedirect(nxt)
    consent_cookie_set(response, choice=choice, visitor_id=cookie.visitor_id)
    return response


@require_http_methods(["GET"])
def privacy_notice(request: HttpRequest) -> HttpResponse:
    context = {
        "notice_version": settings.TRIDEX_PRIVACY_NOTICE_VERSION,
        "seller": settings.TRIDEX_SELLER,
        "export_hours": settings.TRIDEX_PRIVACY_EXPORT_HOURS,
        "grace_days": settings.TRIDEX_PRIVACY_DELETION_GRACE_DAYS,
    }
    return render(request, "privacy/notice.html", context)
