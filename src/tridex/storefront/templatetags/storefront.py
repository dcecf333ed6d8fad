"""Template helpers for storefront pages: money, stock, stars, pictures, language links."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tridex.catalog.models import Category
from tridex.catalog.selectors import category_list
from tridex.core.money import Money
from tridex.payments.timeline import event_sentence
from tridex.search.types import ImageRef

register = template.Library()

# At or below this many units a page says "Only 3 left" instead of "In stock".
LOW_STOCK = 5

_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def money(value: Money | None) -> str:
    """Format with Babel in the page's language (฿1,290.00 in Thai, $45.99 in English)."""
    if value is None:
        return ""
    return value.format(translation.get_language() or settings.LANGUAGE_CODE)


@register.filter
def availability(units: int | None) -> str:
    units = int(units or 0)
    if units <= 0:
        return _("Out of stock")
    if units <= LOW_STOCK:
        return ngettext("Only %(count)d left", "Only %(count)d left", units) % {"count": units}
    return _("In stock")


@register.filter
def stock_level(units: int | None) -> str:
    """A CSS modifier for the availability text: ``out``, ``low`` or ``in``."""
    units = int(units or 0)
    return "out" if units <= 0 else "low" if units <= LOW_STOCK else "in"


@register.simple_tag
def stars(rating: Decimal | int | None, count: int | None = None) -> SafeString:
    """Five stars filled to ``rating`` (to the nearest half), with a text alternative.

    The fill is a class per half star (``stars--7`` is three and a half), not a ``style``
    attribute: the Content-Security-Policy allows no inline styles.
    """
    if rating is None:
        return mark_safe("")  # nosec B308  # a constant empty string
    value = Decimal(rating).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    halves = int((value * 2).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    label = _("Rated %(rating)s out of 5") % {"rating": value.normalize()}
    if count is not None:
        label += ", " + ngettext("%(count)d review", "%(count)d reviews", count) % {"count": count}
    return format_html(
        '<span class="stars stars--{}" role="img" aria-label="{}">'
        '<span class="stars__fill"></span></span>',
        max(0, min(halves, 10)),
        label,
    )


@register.inclusion_tag("storefront/_picture.html")
def picture(
    image: ImageRef | None, sizes: str = "100vw", eager: bool = False, css: str = ""
) -> dict[str, Any]:
    """A responsive ``<picture>``: WebP sources, a JPEG fallback, intrinsic size, lazy unless
    it is the page's main image (``eager``), which is fetched first."""
    return {"image": image, "sizes": sizes, "eager": eager, "css": css}


@register.simple_tag(takes_context=True)
def language_urls(context: template.Context) -> list[dict[str, str]]:
    """Each language with the URL of this page in it, for the switch and hreflang links.

    A view that knows better (a product's slug differs per language) puts ``alternates`` in
    the context; otherwise the current URL is translated by Django's URL resolver.
    """
    alternates: dict[str, str] = context.get("alternates") or {}
    request = context.get("request")
    current = translation.get_language()
    links = []
    for code, name in settings.LANGUAGES:
        url = alternates.get(code)
        if url is None:
            path = request.get_full_path() if request is not None else "/"
            url = translate_url(path, code)
        links.append(
            {
                "code": code,
                "name": translation.get_language_info(code)["name_local"],
                "label": str(name),
                "url": url,
                "current": code == current,
            }
        )
    return links


@register.filter
def ld_json(data: object) -> SafeString:
    """Serialize for a ``<script type="application/ld+json">`` without breaking out of it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return mark_safe(text.translate(_JSON_ESCAPES))  # noqa: S308 - <, > and & are escaped  # nosec B308 B703


@register.simple_tag
def nav_categories() -> list[Category]:
    """Top-level categories for the header, in tree order (one query)."""
    return [category for category in category_list() if category.depth == 0]


@register.filter
def get_item(mapping: dict[Any, Any] | None, key: Any) -> Any:
    """``mapping[key]`` or None: thumbnails by product id and the like."""
    return mapping.get(key) if mapping else None


@register.filter
def order_event(event: Any) -> str:
    """A timeline entry as a sentence in the page's language."""
    return event_sentence(event)
