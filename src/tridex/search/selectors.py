"""Reads every edge uses for browsing: the product listing (category, search, API) and detail.

Both run a fixed number of SQL queries whatever the page size or the number of variants:

``product_listing``: [category] + [vocabulary version] + option values + count + page + facets
+ images + availability. Prices come from ``pricing.ProductPriceRange`` joined into the page
query; free text goes through the inverted index (``search.models``).

``product_detail``: product + variants + their option values + prices + availability + images
+ reviews + category + ancestors.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from tridex.catalog.models import (
    Category,
    Option,
    OptionValue,
    Product,
    ProductImage,
    Review,
    Variant,
)
from tridex.catalog.selectors import category_ancestors, product_get_visible
from tridex.core.errors import ValidationFailed
from tridex.core.i18n import languages, translated, translated_fields
from tridex.core.money import Money
from tridex.inventory.models import Stock
from tridex.inventory.selectors import product_availability, variant_availability
from tridex.markets.models import Market
from tridex.pricing.selectors import variant_prices
from tridex.search import listing_cache, vocabulary
from tridex.search.models import ListingOption, SearchPosting
from tridex.search.types import (
    SORTS,
    Breadcrumb,
    Facet,
    FacetValue,
    ImageRef,
    ListingPage,
    ListingQuery,
    OptionValueView,
    OptionView,
    ProductCard,
    ProductDetail,
    ReviewView,
    VariantView,
)

MAX_PAGE_SIZE = 100
MAX_PRICE = Decimal("10") ** 10
REVIEWS_SHOWN = 20
# A text search considers at most this many of the strongest matches (42 pages of 24): beyond
# that a query is too broad for anyone to page through, and each candidate costs the page a few
# index probes (5,000 of them took 100 ms for "sofa cover" at 100,000 products).
MAX_TEXT_CANDIDATES = 1_000
SRC_WIDTH = 640  # the <img src> fallback: the widest rendition up to this width

# --- translated values ----------------------------------------------------------------------


# --- images -------------------------------------------------------------------------------


def image_ref(image: ProductImage, *, fallback_alt: str = "") -> ImageRef:
    """An ``ImageRef`` from a stored image: responsive srcsets from its renditions.

    Without renditions (not processed yet) the original file serves as the only source.
    """
    alt = translated(image, "alt") or fallback_alt
    widths = sorted(int(w) for w in (image.renditions or {}) if str(w).isdigit())
    if not widths:
        url = default_storage.url(image.image.name)
        return ImageRef(url, "", "", image.width, image.height, alt)
    renditions = {w: image.renditions[str(w)] for w in widths}
    srcset = {
        kind: ", ".join(
            f"{default_storage.url(renditions[w][kind])} {w}w"
            for w in widths
            if renditions[w].get(kind)
        )
        for kind in ("webp", "jpeg")
    }
    src_width = max([w for w in widths if w <= SRC_WIDTH] or [widths[0]])
    src_path = renditions[src_width].get("jpeg") or renditions[src_width].get("webp")
    height = round(image.height * src_width / image.width) if image.width else 0
    return ImageRef(
        default_storage.url(src_path), srcset["webp"], srcset["jpeg"], src_width, height, alt
    )


# --- parameter validation -------------------------------------------------------------------


@dataclass(frozen=True)
class _Params:
    sort: str
    page: int
    page_size: int
    price_min: Decimal | None
    price_max: Decimal | None
    has_text: bool


def _int(value: object, *, field: str, low: int, high: int | None = None) -> int:
    if isinstance(value, bool):
        raise ValidationFailed(_("Enter a whole number."), field=field)
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        raise ValidationFailed(_("Enter a whole number."), field=field) from None
    if number < low or (high is not None and number > high):
        message = (
            _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high}
            if high is not None
            else _("Enter a number of at least %(low)d.") % {"low": low}
        )
        raise ValidationFailed(message, field=field)
    return number


def _price(value: object, *, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float | bool):
        raise ValidationFailed(_("Enter a price."), field=field)
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("Enter a price."), field=field) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationFailed(_("A price cannot be negative."), field=field)
    if amount >= MAX_PRICE:
        raise ValidationFailed(_("This price is too large."), field=field)
    return amount


def _validate(query: ListingQuery) -> _Params:
    has_text = bool((query.query or "").strip())
    sort = query.sort or ("relevance" if has_text else "newest")
    if sort not in SORTS:
        raise ValidationFailed(_("Unknown sort order."), field="sort")
    if sort == "relevance" and not has_text:
        raise ValidationFailed(_("Sorting by relevance needs a search query."), field="sort")
    page = _int(query.page, field="page", low=1)
    page_size = _int(query.page_size, field="page_size", low=1, high=MAX_PAGE_SIZE)
    price_min = _price(query.price_min, field="price_min")
    price_max = _price(query.price_max, field="price_max")
    if price_min is not None and price_max is not None and price_min > price_max:
        raise ValidationFailed(
            _("The highest price must not be below the lowest price."), field="price_max"
        )
    return _Params(sort, page, page_size, price_min, price_max, has_text)


# --- options and facets ----------------------------------------------------------------------


@dataclass
class _OptionInfo:
    option: Option
    values: dict[str, OptionValue]  # code -> value, in position order


def _option_catalog() -> dict[str, _OptionInfo]:
    """Every option with its values, in display order, in one query."""
    catalog: dict[str, _OptionInfo] = {}
    for value in OptionValue.objects.select_related("option").order_by(
        "option__position", "option__code", "position", "code"
    ):
        info = catalog.setdefault(value.option.code, _OptionInfo(value.option, {}))
        info.values[value.code] = value
    return catalog


def _selected_values(
    options: dict[str, list[str]] | None, catalog: dict[str, _OptionInfo]
) -> dict[int, list[int]]:
    """Option id -> selected value ids; unknown codes fail naming ``options.<code>``."""
    selected: dict[int, list[int]] = {}
    for code, value_codes in (options or {}).items():
        field = f"options.{code}"
        info = catalog.get(code)
        if info is None:
            raise ValidationFailed(_("Unknown option."), field=field)
        codes = [value_codes] if isinstance(value_codes, str) else list(value_codes or [])
        ids = []
        for value_code in codes:
            value = info.values.get(str(value_code))
            if value is None:
                raise ValidationFailed(
                    _("Unknown value %(value)s.") % {"value": value_code}, field=field
                )
            ids.append(value.pk)
        if ids:
            selected[info.option.pk] = ids
    return selected


def _has_value(value_ids: list[int], product_ref: str = "pk") -> Exists:
    """The product has an active variant with one of ``value_ids`` (see ``ListingOption``)."""
    return Exists(
        ListingOption.objects.filter(
            product_id=OuterRef(product_ref), option_value_id__in=value_ids
        )
    )


def _facet_counts(
    base: QuerySet[Product], filterable: list[_OptionInfo], selected: dict[int, list[int]]
) -> dict[int, int]:
    """Option value id -> number of products, in one GROUP BY over ``ListingOption``.

    Counting is disjunctive: the counts of one option apply every filter except that option's
    own, so choosing "grey" still shows how many products come in "blue" (values of one option
    combine with OR). Rows are unique per (product, value), so no DISTINCT is needed.
    """
    rows = ListingOption.objects.filter(
        product_id__in=base.values("pk"),
        option_id__in=[info.option.pk for info in filterable],
    ).values("option_value_id")
    if selected:
        counted = Q()
        for info in filterable:
            others = [
                _has_value(ids, "product_id")
                for option_id, ids in selected.items()
                if option_id != info.option.pk
            ]
            counted |= Q(*others, option_id=info.option.pk)
        rows = rows.annotate(count=Count("product_id", filter=counted))
    else:
        rows = rows.annotate(count=Count("product_id"))
    return dict(rows.values_list("option_value_id", "count"))


def _facets(
    counts: dict[int, int], filterable: list[_OptionInfo], selected: dict[int, list[int]]
) -> list[Facet]:
    facets = []
    for info in filterable:
        chosen = set(selected.get(info.option.pk, ()))
        values = [
            FacetValue(
                code=value.code,
                name=translated(value, "name"),
                swatch=value.swatch,
                count=counts.get(value.pk, 0),
                selected=value.pk in chosen,
            )
            for value in info.values.values()
            if counts.get(value.pk) or value.pk in chosen
        ]
        if values:
            facets.append(Facet(info.option.code, translated(info.option, "name"), values))
    return facets


# --- the listing --------------------------------------------------------------------------


def _in_stock(market: Market) -> Exists:
    return Exists(
        Stock.objects.filter(
            variant__product_id=OuterRef("pk"),
            variant__is_active=True,
            warehouse__is_active=True,
            warehouse__markets=market,
            quantity__gt=F("reserved"),
        )
    )


def _visible_now() -> Q:
    """``ProductQuerySet.visible()``, written so that SQLite keeps its sort index.

    ``is_published = 1`` lets SQLite's planner pick the (is_published, category) index and
    then sort every visible product to show the newest 24; ``NOT is_published = 0`` means the
    same for a non-null flag but is no index key, so the planner walks the newest-first index
    and stops after one page. PostgreSQL plans both forms alike.
    """
    now = timezone.now()
    return Q(
        Q(available_from__isnull=True) | Q(available_from__lte=now),
        Q(available_until__isnull=True) | Q(available_until__gt=now),
        ~Q(is_published=False),
    )


def _category_filter(category_id: object) -> Q:
    category_pk = _int(category_id, field="category_id", low=1)
    path = (
        Category.objects.filter(pk=category_pk, is_published=True)
        .values_list("path", flat=True)
        .first()
    )
    if path is None:
        raise ValidationFailed(_("This category does not exist."), field="category_id")
    subtree = Category.objects.filter(path__startswith=path, is_published=True).values("pk")
    return Q(category_id__in=subtree)


def _ordering(sort: str) -> list[Any]:
    name = Coalesce(*(NullIf(F(f), Value("")) for f in _name_fields()), Value(""))
    orderings: dict[str, list[Any]] = {
        "relevance": [F("relevance").desc(nulls_last=True), "-created_at", "-id"],
        "newest": ["-created_at", "-id"],
        "price_asc": [F("price__min_amount").asc(nulls_last=True), "-id"],
        "price_desc": [F("price__min_amount").desc(nulls_last=True), "-id"],
        "rating": [F("rating_average").desc(nulls_last=True), "-rating_count", "-id"],
        "name": [name.asc(), "id"],
    }
    return orderings[sort]


def _name_fields() -> list[str]:
    return [f"name_{code}" for code in languages()]


def _card_rows(products: QuerySet[Product], start: int, size: int) -> list[dict[str, Any]]:
    fields = [
        "id",
        "category_id",
        "rating_average",
        "rating_count",
        *translated_fields("name"),
        *translated_fields("slug"),
    ]
    return list(
        products.values(
            *fields,
            price_min=F("price__min_amount"),
            price_max=F("price__max_amount"),
            compare_at=F("price__min_compare_at_amount"),
            currency=F("price__currency"),
        )[start : start + size]
    )


def _first_images(product_ids: list[int]) -> dict[int, ProductImage]:
    if not product_ids:
        return {}
    first: dict[int, ProductImage] = {}
    for image in ProductImage.objects.filter(product_id__in=product_ids).order_by(
        "product_id", "position", "id"
    ):
        first.setdefault(image.product_id, image)
    return first


def product_thumbnails(*, product_ids: list[int]) -> dict[int, ImageRef]:
    """The first photo of each product, for carts, wishlists and orders (one query)."""
    return {pid: image_ref(image) for pid, image in _first_images(list(set(product_ids))).items()}


def _money(amount: Decimal | None, currency: str | None) -> Money | None:
    return Money(amount, currency) if amount is not None and currency else None


def _cards(rows: list[dict[str, Any]], market: Market) -> list[ProductCard]:
    ids = [row["id"] for row in rows]
    images = _first_images(ids)
    available = product_availability(product_ids=ids, market=market)
    cards = []
    for row in rows:
        name = translated(row, "name")
        image = images.get(row["id"])
        cards.append(
            ProductCard(
                id=row["id"],
                name=name,
                slug=translated(row, "slug"),
                category_id=row["category_id"],
                image=image_ref(image, fallback_alt=name) if image else None,
                price_min=_money(row["price_min"], row["currency"]),
                price_max=_money(row["price_max"], row["currency"]),
                compare_at=_money(row["compare_at"], row["currency"]),
                rating_average=row["rating_average"],
                rating_count=row["rating_count"],
                available=available.get(row["id"], 0),
            )
        )
    return cards


def _text_candidates(term_ids: list[int]) -> QuerySet[Any]:
    """Ids of products having every term, at most ``MAX_TEXT_CANDIDATES``, strongest first.

    ``term_ids`` come rarest first. This walks the rarest term's postings from its heaviest
    weight down (the ``search_posting_impact`` index) and probes the primary key
    ``(term, product)`` for the others, stopping once enough products have them all. So the
    work follows the rarest word and the cap, not the catalog: "sofa cover" matches nearly
    every product of a sofa-cover shop, and scoring all of them first took over a second at
    100,000 products. Among the candidates the page orders by the full relevance
    (``_text_filter``).
    """
    rarest, others = term_ids[0], term_ids[1:]
    postings = SearchPosting.objects.filter(term_id=rarest)
    for other in others:
        postings = postings.filter(
            Exists(SearchPosting.objects.filter(term_id=other, product_id=OuterRef("product_id")))
        )
    return postings.order_by("-weight", "-product_id").values("product_id")[:MAX_TEXT_CANDIDATES]


def _text_filter(products: QuerySet[Any], text: str) -> tuple[QuerySet[Any], str | None]:
    """Keep products that contain every word of ``text``, annotated with ``relevance``."""
    resolved = vocabulary.resolve(text)
    if resolved.term_ids is None:
        return products.none(), resolved.corrected
    ids = resolved.rarest_first()
    matching = _text_candidates(ids)
    # The sum of the product's weights for the terms: one primary-key probe per term, where
    # one grouped subquery would read all of the product's postings to pick out these few.
    weights = [
        Coalesce(
            Subquery(
                SearchPosting.objects.filter(term_id=term, product_id=OuterRef("pk")).values(
                    "weight"
                )
            ),
            0,
        )
        for term in ids
    ]
    relevance = sum(weights[1:], start=weights[0])
    products = products.filter(pk__in=matching).annotate(relevance=relevance)
    return products, resolved.corrected


def product_listing(*, market: Market, query: ListingQuery) -> ListingPage:
    """One page of visible products with filters, sort and facets, in a fixed number of queries.

    Raises ``ValidationFailed`` naming the parameter for an unknown sort, option or value, a bad
    page or page size, or a bad price range. A page past the last one is empty, not an error.
    """
    params = _validate(query)
    products: QuerySet[Any] = Product.objects.filter(_visible_now()).annotate(
        price=FilteredRelation("price_ranges", condition=Q(price_ranges__market=market))
    )
    if query.category_id is not None:
        products = products.filter(_category_filter(query.category_id))
    corrected = None
    if params.has_text:
        products, corrected = _text_filter(products, query.query)
    if params.price_min is not None:
        products = products.filter(price__min_amount__gte=params.price_min)
    if params.price_max is not None:
        products = products.filter(price__min_amount__lte=params.price_max)
    if query.in_stock_only:
        products = products.filter(_in_stock(market))
    if query.featured_only:
        products = products.filter(is_featured=True)
    catalog = _option_catalog()
    selected = _selected_values(query.options, catalog)
    base = products
    for value_ids in selected.values():
        products = products.filter(_has_value(value_ids))
    filterable = [info for info in catalog.values() if info.option.is_filterable]
    total, counts = _counts(market, query, params, products, base, filterable, selected)
    start = (params.page - 1) * params.page_size
    rows = (
        _card_rows(products.order_by(*_ordering(params.sort)), start, params.page_size)
        if start < total
        else []
    )
    return ListingPage(
        items=_cards(rows, market),
        total=total,
        page=params.page,
        page_size=params.page_size,
        num_pages=max(1, math.ceil(total / params.page_size)),
        facets=_facets(counts, filterable, selected),
        sort=params.sort,
        corrected_query=corrected,
    )


def _counts(
    market: Market,
    query: ListingQuery,
    params: _Params,
    products: QuerySet[Product],
    base: QuerySet[Product],
    filterable: list[_OptionInfo],
    selected: dict[int, list[int]],
) -> tuple[int, dict[int, int]]:
    """The total and the facet counts, from the cache when the same filters ran recently.

    They cost far more than the page itself, and they change only with the catalog, prices or
    stock, whose changes replace the cache generation (``search.listing_cache``).
    """
    key = listing_cache.key(
        {
            "market": market.pk,
            "category": query.category_id,
            "text": " ".join((query.query or "").split()).lower() if params.has_text else "",
            "price": [params.price_min, params.price_max],
            "in_stock": bool(query.in_stock_only),
            "featured": bool(query.featured_only),
            "selected": sorted((option, sorted(ids)) for option, ids in selected.items()),
            "options": [info.option.pk for info in filterable],
        }
    )
    cached = listing_cache.get(key)
    if cached is not None:
        total, counts = cached
        return int(total), dict(counts)
    total = products.count()
    counts = _facet_counts(base, filterable, selected) if filterable else {}
    if total >= listing_cache.MIN_TOTAL:
        listing_cache.put(key, (total, counts))
    return total, counts


# --- the product page ---------------------------------------------------------------------


def _variants(product: Product) -> list[Variant]:
    from django.db.models import Prefetch

    values = Prefetch(
        "option_values",
        queryset=OptionValue.objects.select_related("option").order_by(
            "option__position", "option__code", "position", "code"
        ),
    )
    return list(
        product.variants.filter(is_active=True).order_by("position", "id").prefetch_related(values)
    )


def _option_views(variants: list[Variant]) -> list[OptionView]:
    """Options with the values some active variant uses, in position order."""
    used: dict[int, tuple[Option, dict[int, OptionValue]]] = {}
    for variant in variants:
        for value in variant.option_values.all():
            used.setdefault(value.option_id, (value.option, {}))[1][value.pk] = value
    ordered = sorted(used.values(), key=lambda item: (item[0].position, item[0].code))
    return [
        OptionView(
            code=option.code,
            name=translated(option, "name"),
            values=[
                OptionValueView(v.code, translated(v, "name"), v.swatch)
                for v in sorted(values.values(), key=lambda v: (v.position, v.code))
            ],
        )
        for option, values in ordered
    ]


def _breadcrumbs(category_id: int) -> list[Breadcrumb]:
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        return []
    return [
        Breadcrumb(translated(c, "name"), translated(c, "slug"))
        for c in category_ancestors(category=category)
        if c.is_published
    ]


def _reviews(product: Product) -> list[ReviewView]:
    reviews = Review.objects.filter(product=product, is_approved=True).order_by(
        "-created_at", "-id"
    )[:REVIEWS_SHOWN]
    return [
        ReviewView(r.author_name, r.rating, r.title, r.body, r.created_at, r.verified_purchase)
        for r in reviews
    ]


def product_detail(
    *, market: Market, slug: str | None = None, product_id: int | None = None
) -> ProductDetail:
    """Everything the product page and the API detail show, priced for ``market``.

    Raises ``NotFound`` unless the product exists and is visible now. ``images`` is the whole
    gallery; each variant also lists the images attached to it, for the variant picker.
    """
    product = product_get_visible(slug=slug, product_id=product_id)
    name = translated(product, "name")
    variants = _variants(product)
    variant_ids = [v.pk for v in variants]
    prices = variant_prices(variant_ids=variant_ids, market=market)
    stock = variant_availability(variant_ids=variant_ids, market=market)
    images = list(ProductImage.objects.filter(product=product).order_by("position", "id"))
    by_variant: dict[int, list[ImageRef]] = defaultdict(list)
    gallery = []
    for image in images:
        ref = image_ref(image, fallback_alt=name)
        gallery.append(ref)
        if image.variant_id:
            by_variant[image.variant_id].append(ref)
    views = [_variant_view(v, prices, stock, by_variant) for v in variants]
    priced = [view.price for view in views if view.price is not None]
    return ProductDetail(
        id=product.pk,
        name=name,
        slug=translated(product, "slug"),
        description=translated(product, "description"),
        seo_title=translated(product, "seo_title") or name,
        seo_description=translated(product, "seo_description"),
        breadcrumbs=_breadcrumbs(product.category_id),
        options=_option_views(variants),
        variants=views,
        images=gallery,
        rating_average=product.rating_average,
        rating_count=product.rating_count,
        reviews=_reviews(product),
        price_min=min(priced) if priced else None,
        price_max=max(priced) if priced else None,
        available=sum(view.available for view in views),
        slugs={
            code: getattr(product, f"slug_{code}")
            for code, _ in settings.LANGUAGES
            if getattr(product, f"slug_{code}", "")
        },
    )


def _variant_view(
    variant: Variant,
    prices: dict[int, Any],
    stock: dict[int, int],
    images: dict[int, list[ImageRef]],
) -> VariantView:
    price = prices.get(variant.pk)
    return VariantView(
        id=variant.pk,
        sku=variant.sku,
        barcode=variant.barcode,
        options={value.option.code: value.code for value in variant.option_values.all()},
        price=price.price if price else None,
        compare_at=price.compare_at if price else None,
        available=stock.get(variant.pk, 0),
        images=images.get(variant.pk, []),
        weight_grams=variant.weight_grams,
        length_mm=variant.length_mm,
        width_mm=variant.width_mm,
        height_mm=variant.height_mm,
    )
