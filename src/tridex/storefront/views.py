"""Storefront pages. Thin: parse the request, call read-model selectors, render.

Every page works without JavaScript (plain links and GET forms); htmx requests for the listing
and the variant picker get just the region that changes. Bad parameters answer 422 naming the
parameter, unknown slugs 404 — never a 500, never a silent ignore.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tridex.catalog.selectors import category_ancestors, category_get, category_list
from tridex.core.errors import DomainError, NotFound, ValidationFailed
from tridex.core.ratelimit import RateLimited, limit, rate_limited_response
from tridex.core.response_cache import cache_shared_response
from tridex.markets.middleware import MARKET_COOKIE
from tridex.markets.selectors import market_get
from tridex.reviews.selectors import customer_review
from tridex.reviews.services import review_post
from tridex.search import listing_cache
from tridex.search.selectors import product_detail, product_listing
from tridex.search.types import ImageRef, ListingPage, ListingQuery, ProductDetail, VariantView
from tridex.storefront.params import parse_listing, parse_selection, picker_state, resolve_variant

if TYPE_CHECKING:
    from tridex.catalog.models import Category
    from tridex.markets.models import Market

HOME_SHELF_SIZE = 8
MAX_QUERY_LENGTH = 200
MARKET_COOKIE_AGE = 365 * 24 * 60 * 60
View = Callable[..., HttpResponse]


# --- Plumbing ---------------------------------------------------------------------------------

# Catalog pages look the same to every anonymous visitor in one language and market; any
# catalog, price, stock or rate change retires them (core/response_cache.py).
shared_page = cache_shared_response(namespace="storefront", generation=listing_cache.generation)


def _invalid(request: HttpRequest, error: ValidationFailed) -> HttpResponse:
    """The 422 page: which parameter was wrong and why, with a way back."""
    field = error.field or ""
    # The listing selector names option filters "options.colour"; the URL parameter is "colour".
    field = field.removeprefix("options.")
    context = {"field": field, "message": str(error), "back": request.path}
    return render(request, "storefront/422.html", context, status=422)


def shop_view(view: View) -> View:
    """Answer domain errors as pages: unknown things 404, bad parameters 422, any other
    domain error (a conflict, a payment provider down) with its own status and message."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(request, "market", None):
            context = {"message": _("The shop is not open yet: no market is configured.")}
            return render(request, "storefront/unavailable.html", context, status=503)
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except RateLimited as exc:
            return rate_limited_response(request, exc)
        except ValidationFailed as exc:
            return _invalid(request, exc)
        except DomainError as exc:  # a conflict, a provider that did not answer: say so
            context = {"message": exc.message, "back": request.path}
            return render(request, "storefront/400.html", context, status=exc.status)

    return wrapper


def _is_fragment_request(request: HttpRequest) -> bool:
    """An htmx swap wants the region only; a history restore wants the whole page."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _with_query(request: HttpRequest, url: str) -> str:
    query = request.META.get("QUERY_STRING", "")
    return f"{url}?{query}" if query else url


def _alternates(build: Callable[[str], str]) -> dict[str, str]:
    """``{language: url}`` for every language, ``build`` running with that language active."""
    urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            urls[code] = build(code)
    return urls


def _market(request: HttpRequest) -> Market:
    return request.market  # type: ignore[attr-defined, no-any-return]


# --- Home -------------------------------------------------------------------------------------


@require_GET
@shared_page
@shop_view
def home(request: HttpRequest) -> HttpResponse:
    market = _market(request)
    categories = [category for category in category_list() if category.depth == 0]
    new_arrivals = product_listing(
        market=market, query=ListingQuery(sort="newest", page_size=HOME_SHELF_SIZE)
    )
    featured = product_listing(
        market=market,
        query=ListingQuery(featured_only=True, sort="rating", page_size=HOME_SHELF_SIZE),
    )
    context = {
        "categories": categories,
        "featured": featured.items,
        "new_arrivals": new_arrivals.items,
    }
    return render(request, "storefront/home.html", context)


# --- Listings ---------------------------------------------------------------------------------


def _category_slug(category: Category, language: str) -> str:
    return getattr(category, f"slug_{language}", "") or category.slug


def _listing_response(
    request: HttpRequest, template: str, context: dict[str, Any], page: ListingPage
) -> HttpResponse:
    if page.total and page.page > page.num_pages:
        raise ValidationFailed(
            _("There is no page %(page)d; the last page is %(last)d.")
            % {"page": page.page, "last": page.num_pages},
            field="page",
        )
    context = {
        **context,
        "listing": page,
        "pages": _page_numbers(page.page, page.num_pages),
        "filtered": any(
            request.GET.get(key) for key in request.GET if key not in {"q", "sort", "page"}
        ),
    }
    name = "storefront/_listing.html" if _is_fragment_request(request) else template
    response = render(request, name, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _page_numbers(current: int, last: int) -> list[int | None]:
    """Page links to show: first, last and the neighbours of the current page; None is a gap."""
    wanted = {1, last, current - 1, current, current + 1}
    numbers: list[int | None] = []
    for number in range(1, last + 1):
        if number in wanted:
            if numbers and numbers[-1] is not None and number - numbers[-1] > 1:  # type: ignore[operator]
                numbers.append(None)
            numbers.append(number)
    return numbers


@require_GET
@shared_page
@shop_view
def category(request: HttpRequest, slug: str) -> HttpResponse:
    found = category_get(slug=slug)
    language = translation.get_language() or settings.LANGUAGE_CODE
    canonical = _category_slug(found, language)
    if slug != canonical:
        target = reverse("storefront:category", kwargs={"slug": canonical})
        return HttpResponsePermanentRedirect(_with_query(request, target))
    query = parse_listing(
        request.GET,
        category_id=found.pk,
        default_sort="newest",
        page_size=settings.TRIDEX_PAGE_SIZE,
    )
    page = product_listing(market=_market(request), query=query)
    alternates = _alternates(
        lambda code: _with_query(
            request,
            reverse("storefront:category", kwargs={"slug": _category_slug(found, code)}),
        )
    )
    context = {
        "category": found,
        "ancestors": category_ancestors(category=found)[:-1],
        "alternates": alternates,
        "canonical": reverse("storefront:category", kwargs={"slug": canonical}),
        "action": request.path,
    }
    return _listing_response(request, "storefront/category.html", context, page)


@require_GET
@shared_page
@shop_view
def search(request: HttpRequest) -> HttpResponse:
    q = " ".join(request.GET.get("q", "").split())
    if len(q) > MAX_QUERY_LENGTH:
        raise ValidationFailed(
            _("Search for at most %(max)d characters.") % {"max": MAX_QUERY_LENGTH}, field="q"
        )
    if q:
        # Only searches that reach the database count; cached copies cost nothing.
        limit("search", request=request)
    context: dict[str, Any] = {"q": q, "action": request.path}
    if not q:
        context["categories"] = [c for c in category_list() if c.depth == 0]
        return render(request, "storefront/search.html", context)
    query = parse_listing(
        request.GET, query=q, default_sort="relevance", page_size=settings.TRIDEX_PAGE_SIZE
    )
    page = product_listing(market=_market(request), query=query)
    return _listing_response(request, "storefront/search.html", context, page)


# --- Product ----------------------------------------------------------------------------------


def _product_url(slug: str, variant: VariantView | None = None) -> str:
    url = reverse("storefront:product", kwargs={"slug": slug})
    return f"{url}?variant={variant.id}" if variant is not None else url


def _gallery(detail: ProductDetail, selected: VariantView | None) -> list[ImageRef]:
    """The chosen variant's own photos first, then the photos of the product as a whole.

    Photos that belong to another variant (the blue cover while grey is chosen) are left out.
    """
    others = {
        image.src
        for variant in detail.variants
        if selected is None or variant.id != selected.id
        for image in variant.images
    }
    own = list(selected.images) if selected is not None else []
    own_srcs = {image.src for image in own}
    shared = [i for i in detail.images if i.src not in others and i.src not in own_srcs]
    return own + shared or list(detail.images)


def _variant_context(request: HttpRequest, detail: ProductDetail) -> dict[str, Any]:
    variant_id, selection = parse_selection(request.GET, detail)
    selected = resolve_variant(detail, variant_id=variant_id, selection=selection)
    images = _gallery(detail, selected)
    return {
        "product": detail,
        "variant": selected,
        "images": images,
        "picker": picker_state(detail, selected) if selected and detail.options else [],
        "price": selected.price if selected else detail.price_min,
        "compare_at": selected.compare_at if selected else None,
        "available": selected.available if selected else detail.available,
    }


def _json_ld(request: HttpRequest, detail: ProductDetail, canonical: str) -> dict[str, Any]:
    """schema.org Product with one Offer per sellable variant, for rich results."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": detail.name,
        "description": detail.seo_description or detail.description[:500],
        "url": canonical,
        "image": [request.build_absolute_uri(image.src) for image in detail.images],
        "offers": [
            {
                "@type": "Offer",
                "sku": variant.sku,
                "price": str(variant.price.amount),
                "priceCurrency": variant.price.currency,
                "availability": "https://schema.org/InStock"
                if variant.available > 0
                else "https://schema.org/OutOfStock",
                "url": f"{canonical}?variant={variant.id}",
            }
            for variant in detail.variants
            if variant.price is not None
        ],
    }
    if detail.rating_count and detail.rating_average is not None:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": str(detail.rating_average),
            "reviewCount": detail.rating_count,
        }
    if detail.reviews:
        data["review"] = [
            {
                "@type": "Review",
                "author": {"@type": "Person", "name": review.author_name},
                "reviewRating": {"@type": "Rating", "ratingValue": review.rating},
                "name": review.title,
                "reviewBody": review.body,
            }
            for review in detail.reviews[:5]
        ]
    return data


@require_GET
@shared_page
@shop_view
def product(request: HttpRequest, slug: str) -> HttpResponse:
    detail = product_detail(market=_market(request), slug=slug)
    if slug != detail.slug:
        return HttpResponsePermanentRedirect(_with_query(request, _product_url(detail.slug)))
    return render(request, "storefront/product.html", _product_context(request, detail, slug))


def _product_context(request: HttpRequest, detail: ProductDetail, slug: str) -> dict[str, Any]:
    context = _variant_context(request, detail)
    canonical = request.build_absolute_uri(_product_url(detail.slug))
    context.update(
        {
            "canonical": _product_url(detail.slug),
            "alternates": _alternates(
                lambda code: _with_query(request, _product_url(detail.slugs.get(code, slug)))
            ),
            "json_ld": _json_ld(request, detail, canonical),
            # Visitors (the cached page) see a sign-in link; customers their review or a form.
            "my_review": customer_review(user=request.user, product_id=detail.id),
            "review_form": {},
        }
    )
    return context


@require_POST
@login_required
@shop_view
def product_review(request: HttpRequest, slug: str) -> HttpResponse:
    """Post the customer's review; a mistake shows the page again with what they typed."""
    detail = product_detail(market=_market(request), slug=slug)
    form = {name: request.POST.get(name, "") for name in ("rating", "title", "body")}
    limit("review", request=request)  # over it: shop_view's 429 page with Retry-After
    try:
        review_post(
            customer=request.user,
            product_id=detail.id,
            rating=form["rating"],
            title=form["title"],
            body=form["body"],
        )
    except DomainError as exc:
        context = _product_context(request, detail, slug)
        context["review_form"] = {**form, "error": exc.message, "field": exc.field or ""}
        return render(request, "storefront/product.html", context, status=exc.status)
    messages.success(request, _("Thank you: your review is on the page."))
    return HttpResponseRedirect(_product_url(detail.slug) + "#reviews")


@require_GET
@shared_page
@shop_view
def product_variant(request: HttpRequest, slug: str) -> HttpResponse:
    """The part of the product page a variant changes: gallery, picker, price, stock, SKU.

    htmx swaps it in place and pushes ``?variant=<id>`` (the ``HX-Push-Url`` header), so the
    address bar, reloads and shared links show the same variant.
    """
    detail = product_detail(market=_market(request), slug=slug)
    context = _variant_context(request, detail)
    response = render(request, "storefront/_variant.html", context)
    if context["variant"] is not None:
        response["HX-Push-Url"] = _product_url(detail.slug, context["variant"])
    response["X-Robots-Tag"] = "noindex"
    return response


# --- Market switch ----------------------------------------------------------------------------


def _safe_next(request: HttpRequest) -> str:
    for candidate in (request.POST.get("next"), request.headers.get("referer")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return reverse("storefront:home")


@require_POST
def market_switch(request: HttpRequest) -> HttpResponse:
    """Remember the shopper's market (currency, prices, tax display) in a cookie for a year."""
    code = request.POST.get("market", "").strip()
    try:
        chosen = market_get(code=code)
    except NotFound:
        context = {
            "message": _("“%(code)s” is not a market this shop sells in.") % {"code": code[:32]},
            "back": _safe_next(request),
        }
        return render(request, "storefront/400.html", context, status=400)
    response = HttpResponseRedirect(_safe_next(request))
    response.set_cookie(
        MARKET_COOKIE,
        chosen.code,
        max_age=MARKET_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return response
