"""Turn storefront query strings into read-model queries, refusing bad input with a named field.

A listing URL is shareable and crawlable, so every parameter is validated: a wrong value answers
422 naming the parameter instead of being silently ignored (which would show the shopper results
they did not ask for) or crashing.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.http import QueryDict
from django.utils.translation import gettext as _

from tridex.core.errors import ValidationFailed
from tridex.search.types import SORTS, ListingQuery, ProductDetail, VariantView

# Parameters with a fixed meaning; any other key names an option (colour=grey&colour=red).
RESERVED = frozenset({"q", "page", "sort", "price_min", "price_max", "in_stock"})
# Added by ad and analytics links; never filters.
IGNORED_PREFIXES = ("utm_",)
IGNORED = frozenset({"fbclid", "gclid", "msclkid", "ref"})
MAX_PAGE = 10_000
MAX_PRICE = Decimal("100000000")
TRUE_VALUES = frozenset({"1", "on", "true", "yes"})
FALSE_VALUES = frozenset({"", "0", "off", "false", "no"})


def _one(params: QueryDict, name: str) -> str:
    values = params.getlist(name)
    if len(values) > 1:
        raise ValidationFailed(_("Give “%(field)s” only once.") % {"field": name}, field=name)
    return values[0].strip() if values else ""


def parse_page(params: QueryDict) -> int:
    raw = _one(params, "page")
    if not raw:
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise ValidationFailed(
            _("“page” must be a whole number from 1 to %(max)s.") % {"max": MAX_PAGE},
            field="page",
        )
    return int(raw)


def parse_sort(params: QueryDict, default: str) -> str:
    raw = _one(params, "sort") or default
    if raw not in SORTS:
        raise ValidationFailed(
            _("“sort” must be one of: %(choices)s.") % {"choices": ", ".join(SORTS)},
            field="sort",
        )
    return raw


def parse_price(params: QueryDict, name: str) -> Decimal | None:
    raw = _one(params, name).replace(",", "")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0 or value > MAX_PRICE:
        raise ValidationFailed(
            _("“%(field)s” must be a price of 0 or more.") % {"field": name}, field=name
        )
    return value


def parse_flag(params: QueryDict, name: str) -> bool:
    raw = _one(params, name).lower()
    if raw in TRUE_VALUES:
        return True
    if raw in FALSE_VALUES:
        return False
    raise ValidationFailed(_("“%(field)s” must be on or off.") % {"field": name}, field=name)


def _is_option_key(key: str) -> bool:
    return key not in RESERVED and key not in IGNORED and not key.startswith(IGNORED_PREFIXES)


def parse_options(params: QueryDict) -> dict[str, list[str]]:
    """Option filters: every non-reserved key. Unknown codes or values are refused downstream."""
    options: dict[str, list[str]] = {}
    for key in params:
        if not _is_option_key(key):
            continue
        values = sorted({value.strip() for value in params.getlist(key) if value.strip()})
        if values:
            options[key] = values
    return options


def parse_listing(
    params: QueryDict,
    *,
    category_id: int | None = None,
    query: str = "",
    default_sort: str = "newest",
    page_size: int = 24,
) -> ListingQuery:
    price_min = parse_price(params, "price_min")
    price_max = parse_price(params, "price_max")
    if price_min is not None and price_max is not None and price_min > price_max:
        raise ValidationFailed(_("“price_max” must not be below “price_min”."), field="price_max")
    return ListingQuery(
        category_id=category_id,
        query=query,
        options=parse_options(params),
        price_min=price_min,
        price_max=price_max,
        in_stock_only=parse_flag(params, "in_stock"),
        sort=parse_sort(params, default_sort),
        page=parse_page(params),
        page_size=page_size,
    )


# --- The variant picker ----------------------------------------------------------------------


def parse_selection(params: QueryDict, detail: ProductDetail) -> tuple[int | None, dict[str, str]]:
    """The variant id (``?variant=``) and option choices (``?colour=grey``) asked for.

    Keys that are not options of this product (tracking parameters) are ignored; a value that
    the option does not have is refused with the option's code as the field.
    """
    variant_id: int | None = None
    raw_id = _one(params, "variant")
    if raw_id:
        if not raw_id.isdigit() or int(raw_id) not in {v.id for v in detail.variants}:
            raise ValidationFailed(_("This variant does not exist."), field="variant")
        variant_id = int(raw_id)
    selection: dict[str, str] = {}
    for option in detail.options:
        raw = _one(params, option.code)
        if not raw:
            continue
        if raw not in {value.code for value in option.values}:
            raise ValidationFailed(
                _("“%(value)s” is not a choice of %(option)s.")
                % {"value": raw, "option": option.name},
                field=option.code,
            )
        selection[option.code] = raw
    return variant_id, selection


def _sellable(variant: VariantView) -> bool:
    return variant.price is not None


def resolve_variant(
    detail: ProductDetail, *, variant_id: int | None, selection: dict[str, str]
) -> VariantView | None:
    """The variant to show: by id, else the exact choice, else the closest one.

    "Closest" keeps the leading options the shopper chose (colour before seats, in the product
    type's order), the same rule that decides which later choices are enabled, so a click never
    lands on a combination the picker showed as unavailable. In-stock variants win ties.
    """
    if not detail.variants:
        return None
    if variant_id is not None:
        return next(v for v in detail.variants if v.id == variant_id)
    codes = [option.code for option in detail.options]

    def score(variant: VariantView) -> tuple[int, int, int, int]:
        prefix = 0
        for code in codes:
            if code in selection and variant.options.get(code) != selection[code]:
                break
            prefix += 1
        exact = all(variant.options.get(code) == value for code, value in selection.items())
        return (int(exact), prefix, int(_sellable(variant)), int(variant.available > 0))

    return max(detail.variants, key=score)  # max() keeps the first of equals: position order


def picker_state(detail: ProductDetail, selected: VariantView) -> list[dict[str, object]]:
    """Each option with its values, marking the chosen one and those that cannot be chosen.

    A value is disabled when no sellable variant has it together with the values chosen for the
    options before it; it is marked sold out when such variants exist but none has stock.
    """
    state = []
    sellable = [v for v in detail.variants if _sellable(v)]
    for index, option in enumerate(detail.options):
        before = {o.code: selected.options.get(o.code) for o in detail.options[:index]}
        values = []
        for value in option.values:
            matches = [
                v
                for v in sellable
                if v.options.get(option.code) == value.code
                and all(v.options.get(code) == chosen for code, chosen in before.items())
            ]
            values.append(
                {
                    "code": value.code,
                    "name": value.name,
                    "swatch": value.swatch,
                    "checked": selected.options.get(option.code) == value.code,
                    "disabled": not matches,
                    "sold_out": bool(matches) and all(v.available <= 0 for v in matches),
                }
            )
        chosen = next((v["name"] for v in values if v["checked"]), "")
        state.append({"code": option.code, "name": option.name, "chosen": chosen, "values": values})
    return state
