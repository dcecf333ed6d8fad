"""Country names in the customer's language.

django-countries ships its Thai catalog as ``th_TH``, which Django never loads for the ``th``
language, so its names stay English on Thai pages. Babel's CLDR data has every territory name
in every language and is already a dependency.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from babel import Locale
from django.utils import translation
from django_countries import countries
from pythainlp.util import collate


@cache
def _territories(language: str) -> dict[str, str]:
    return dict(Locale.parse(language.replace("-", "_")).territories)


def _language(language: str | None) -> str:
    return (language or translation.get_language() or "th").split("-")[0]


def country_name(code: str, language: str | None = None) -> str:
    """The country's name in ``language`` (default: the active one)."""
    code = str(code).upper()
    return _territories(_language(language)).get(code) or str(countries.name(code)) or code


def _plain(name: str) -> str:
    """Sort key that files Åland under A and Curaçao beside Cuba."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@cache
def _choices(language: str) -> tuple[tuple[str, str], ...]:
    pairs = {code: country_name(code, language) for code, _name in countries}
    if language == "th":
        names = collate(list(pairs.values()))
    else:
        names = sorted(pairs.values(), key=_plain)
    by_name = {name: code for code, name in pairs.items()}
    return tuple((by_name[name], name) for name in names)


def country_choices(language: str | None = None, first: str = "TH") -> list[tuple[str, str]]:
    """(code, name) pairs for a select, ``first`` on top and the rest in alphabetical order."""
    choices = _choices(_language(language))
    return [
        (first, country_name(first, language)),
        *(pair for pair in choices if pair[0] != first),
    ]
