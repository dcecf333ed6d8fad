"""The market and language an API read is rendered in, and the pieces every response shares.

The API does not take either from cookies: a response depends only on the URL and the
``Accept-Language`` header, so it can be cached and a client gets what it asked for.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

from tridex.api.schemas import ImageOut, MoneyOut
from tridex.core.errors import NotFound, ValidationFailed
from tridex.core.money import Money
from tridex.markets.selectors import market_default, market_get

if TYPE_CHECKING:
    from tridex.markets.models import Market
    from tridex.search.types import ImageRef


def language_for(request: HttpRequest, lang: str | None) -> str:
    """``lang`` if given and supported, else the best match of Accept-Language, else th."""
    supported = [code for code, _name in settings.LANGUAGES]
    if lang is not None:
        code = lang.strip().lower()
        if code not in supported:
            raise ValidationFailed(
                _("Unsupported language. Use one of: %(choices)s.")
                % {"choices": ", ".join(supported)},
                field="lang",
            )
        return code
    header = request.headers.get("Accept-Language", "")
    for accepted, _quality in parse_accept_lang_header(header):
        if accepted == "*":
            continue
        try:
            return translation.get_supported_language_variant(accepted)
        except LookupError:
            continue
    return str(settings.LANGUAGE_CODE)


def market_for(code: str | None) -> Market:
    """The market named by ``code``; the default market when none is asked for."""
    if code is None or code == "":
        return market_default()
    try:
        return market_get(code=code.strip().lower())
    except NotFound as exc:
        raise ValidationFailed(_("Unknown market."), field="market") from exc


@contextmanager
def rendered_in(language: str, response: HttpResponse) -> Iterator[None]:
    """Activate ``language`` for the read and label the response with it."""
    response["Content-Language"] = language
    response["Vary"] = "Accept-Language"
    with translation.override(language):
        yield


def money_out(money: Money | None, language: str) -> MoneyOut | None:
    if money is None:
        return None
    return MoneyOut(
        amount=format(money.amount, "f"),
        currency=money.currency,
        formatted=money.format(language),
    )


def absolute(request: HttpRequest, url: str) -> str:
    """An absolute URL, so that apps and other sites can use it as it is."""
    return request.build_absolute_uri(url) if url else url


def _absolute_srcset(request: HttpRequest, srcset: str) -> str:
    candidates = []
    for candidate in srcset.split(","):
        parts = candidate.strip().split(maxsplit=1)
        if not parts:
            continue
        parts[0] = absolute(request, parts[0])
        candidates.append(" ".join(parts))
    return ", ".join(candidates)


def image_out(request: HttpRequest, image: ImageRef | None) -> ImageOut | None:
    if image is None:
        return None
    return ImageOut(
        src=absolute(request, image.src),
        srcset_webp=_absolute_srcset(request, image.srcset_webp),
        srcset_jpeg=_absolute_srcset(request, image.srcset_jpeg),
        width=image.width,
        height=image.height,
        alt=image.alt,
    )
