"""Categories and products: the catalog as the shop sells it in one market and language.

Products compose catalog, pricing and inventory, so they are read through the search read
model (``tridex.search.selectors``), which builds a page in a fixed number of queries; these
handlers only parse parameters and render the read model.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja.decorators import decorate_view

from tridex.api.context import absolute, image_out, language_for, market_for, money_out, rendered_in
from tridex.api.schemas import (
    BreadcrumbOut,
    CategoryDetailOut,
    CategoryOut,
    ErrorOut,
    FacetOut,
    FacetValueOut,
    LanguageParams,
    LocaleParams,
    OptionOut,
    OptionValueOut,
    ProductCardOut,
    ProductDetailOut,
    ProductListParams,
    ProductPageOut,
    RatingOut,
    ValidationErrorOut,
    VariantOut,
    review_out,
)
from tridex.catalog.selectors import category_get, category_list
from tridex.core.errors import NotFound, ValidationFailed
from tridex.core.ratelimit import limit
from tridex.core.response_cache import cache_shared_response
from tridex.search import listing_cache
from tridex.search.selectors import product_detail, product_listing
from tridex.search.types import ListingQuery, ProductCard, ProductDetail

router = Router()
# Catalog reads are the same for every anonymous client asking in one language and market.
shared_read = cache_shared_response(
    namespace="api", generation=listing_cache.generation, vary_headers=("Accept-Language",)
)

# Limits on the open-ended option filters, so a request cannot ask for an unbounded IN list.
MAX_OPTION_VALUES = 50
MAX_CODE_LENGTH = 50
# Added to links by ads and analytics; never option filters.
IGNORED_PARAMS = frozenset({"fbclid", "gclid", "msclkid", "ref", "_"})
IGNORED_PREFIXES = ("utm_",)
# The largest id a 64-bit primary key can hold; beyond it SQLite raises instead of finding none.
MAX_ID = 2**63 - 1


# --- Categories -------------------------------------------------------------------------------


@router.get(
    "/categories",
    response={200: list[CategoryOut], 422: ValidationErrorOut},
    operation_id="categories_list",
    summary="List the category tree",
    description="Published categories in tree order (each parent before its children), "
    "with names and slugs in the requested language.",
    tags=["categories"],
)
@decorate_view(shared_read)
def categories_list(
    request: HttpRequest, params: Query[LanguageParams], response: HttpResponse
) -> list[CategoryOut]:
    language = language_for(request, params.lang)
    with rendered_in(language, response):
        return [
            CategoryOut(
                id=c.pk,
                parent_id=c.parent_id,
                name=c.name,
                slug=c.slug,
                depth=c.depth,
                path=c.path,
            )
            for c in category_list()
        ]


@router.get(
    "/categories/{slug}",
    response={200: CategoryDetailOut, 404: ErrorOut, 422: ValidationErrorOut},
    operation_id="categories_get",
    summary="Get one category by its slug",
    description="The slug may be given in any language; the category is rendered in `lang`.",
    tags=["categories"],
)
@decorate_view(shared_read)
def categories_get(
    request: HttpRequest,
    slug: Path[str],
    params: Query[LanguageParams],
    response: HttpResponse,
) -> CategoryDetailOut:
    language = language_for(request, params.lang)
    with rendered_in(language, response):
        category = category_get(slug=slug)
        return CategoryDetailOut(
            id=category.pk,
            parent_id=category.parent_id,
            name=category.name,
            slug=category.slug,
            depth=category.depth,
            path=category.path,
            description=category.description,
            seo_title=category.seo_title,
            seo_description=category.seo_description,
        )


# --- Product list -----------------------------------------------------------------------------


@router.get(
    "/products",
    response={200: ProductPageOut, 422: ValidationErrorOut, 429: ErrorOut},
    operation_id="products_list",
    summary="List, filter, sort and search products",
    description=(
        "Products visible in the market, one page at a time, with facets for the option "
        "filters. Filter by option with one parameter per option code "
        "(`colour=grey&colour=navy&fabric=velvet`) or with `options=colour:grey`. Values of "
        "one option are alternatives (OR); different options must all match (AND). Prices are "
        "in the market's currency."
    ),
    tags=["products"],
    openapi_extra={
        "parameters": [
            {
                # OpenAPI's way to say "any other query parameter": an exploded form object.
                "in": "query",
                "name": "option_filters",
                "required": False,
                "description": "Any option code (colour, size, fabric, seats…) as its own "
                "parameter with one or more value codes, e.g. colour=grey&colour=navy.",
                "schema": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
                "style": "form",
                "explode": True,
            }
        ]
    },
)
@decorate_view(shared_read)
def products_list(
    request: HttpRequest, params: Query[ProductListParams], response: HttpResponse
) -> ProductPageOut:
    if params.q:
        # Only searches that reach the database count; cached copies cost nothing.
        limit("search", request=request)
    language = language_for(request, params.lang)
    market = market_for(params.market)
    with rendered_in(language, response):
        query, sources = _listing_query(request, params)
        try:
            page = product_listing(market=market, query=query)
        except ValidationFailed as exc:
            # The read model names an option as "options.<code>"; name what the client sent.
            if exc.field and exc.field.startswith("options."):
                exc.field = sources.get(exc.field.removeprefix("options."), "options")
            raise
        return ProductPageOut(
            items=[_card_out(request, card, language) for card in page.items],
            total=page.total,
            page=page.page,
            page_size=page.page_size,
            num_pages=page.num_pages,
            sort=page.sort,
            facets=[
                FacetOut(
                    code=facet.code,
                    name=facet.name,
                    values=[
                        FacetValueOut(
                            code=v.code,
                            name=v.name,
                            swatch=v.swatch,
                            count=v.count,
                            selected=v.selected,
                        )
                        for v in facet.values
                    ],
                )
                for facet in page.facets
            ],
            corrected_query=page.corrected_query,
            market=market.code,
            language=language,
        )


def _listing_query(
    request: HttpRequest, params: ProductListParams
) -> tuple[ListingQuery, dict[str, str]]:
    """The read-model query, and the parameter each option filter came from."""
    if (
        params.price_min is not None
        and params.price_max is not None
        and params.price_min > params.price_max
    ):
        raise ValidationFailed(
            _("The maximum price must not be below the minimum price."), field="price_max"
        )
    category_id = None
    if params.category:
        try:
            category_id = category_get(slug=params.category).pk
        except NotFound as exc:
            raise ValidationFailed(_("This category does not exist."), field="category") from exc
    q = params.q.strip()
    options, sources = _option_filters(request, params)
    query = ListingQuery(
        category_id=category_id,
        query=q,
        options=options,
        price_min=params.price_min,
        price_max=params.price_max,
        in_stock_only=params.in_stock,
        sort=params.sort or ("relevance" if q else "newest"),
        page=params.page,
        page_size=params.page_size,
    )
    return query, sources


def _option_filters(
    request: HttpRequest, params: ProductListParams
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Option code -> value codes, from ``options=code:value`` and from ``code=value``.

    Also returns, per option code, the parameter it came from, so that an error about an
    option names the parameter the client actually sent.
    """
    pairs: list[tuple[str, str, str]] = []  # (code, value, parameter)
    for raw in params.options:
        code, sep, value = raw.partition(":")
        if not sep or not code.strip() or not value.strip():
            raise ValidationFailed(
                _("Write option filters as code:value, e.g. colour:grey."), field="options"
            )
        pairs.append((code.strip(), value.strip(), "options"))
    known = set(ProductListParams.model_fields)
    for key in request.GET:
        if key in known or key in IGNORED_PARAMS or key.startswith(IGNORED_PREFIXES):
            continue
        pairs += [(key, value.strip(), key) for value in request.GET.getlist(key) if value.strip()]
    filters: dict[str, list[str]] = {}
    sources: dict[str, str] = {}
    for code, value, parameter in pairs:
        if len(code) > MAX_CODE_LENGTH or len(value) > MAX_CODE_LENGTH:
            raise ValidationFailed(_("This option filter is too long."), field=parameter)
        values = filters.setdefault(code, [])
        if value not in values:
            values.append(value)
        if len(values) > MAX_OPTION_VALUES:
            raise ValidationFailed(_("Too many values for one option."), field=parameter)
        if sources.get(code, "options") == "options":
            sources[code] = parameter
    return filters, sources


def _product_url(request: HttpRequest, slug: str) -> str:
    return absolute(request, reverse("storefront:product", kwargs={"slug": slug}))


def _rating_out(average: object, count: int) -> RatingOut:
    return RatingOut(average=None if average is None else format(average, "f"), count=count)


def _card_out(request: HttpRequest, card: ProductCard, language: str) -> ProductCardOut:
    return ProductCardOut(
        id=card.id,
        name=card.name,
        slug=card.slug,
        url=_product_url(request, card.slug),
        category_id=card.category_id,
        image=image_out(request, card.image),
        price_min=money_out(card.price_min, language),
        price_max=money_out(card.price_max, language),
        compare_at=money_out(card.compare_at, language),
        is_on_sale=card.is_on_sale,
        rating=_rating_out(card.rating_average, card.rating_count),
        available=card.available,
        in_stock=card.in_stock,
    )


# --- Product detail ---------------------------------------------------------------------------

_DETAIL_RESPONSES = {200: ProductDetailOut, 404: ErrorOut, 422: ValidationErrorOut}


@router.get(
    "/products/by-slug/{slug}",
    response=_DETAIL_RESPONSES,
    operation_id="products_get_by_slug",
    summary="Get one product by its slug",
    description="The slug may be given in any language; the product is rendered in `lang`, "
    "with variants priced in `market`.",
    tags=["products"],
)
@decorate_view(shared_read)
def products_get_by_slug(
    request: HttpRequest,
    slug: Path[str],
    params: Query[LocaleParams],
    response: HttpResponse,
) -> ProductDetailOut:
    return _detail(request, params, response, slug=slug)


@router.get(
    "/products/{product_id}",
    response=_DETAIL_RESPONSES,
    operation_id="products_get",
    summary="Get one product by its id",
    description="Variants with their options, price and compare-at price in `market` and "
    "availability; images, options, rating and the latest reviews.",
    tags=["products"],
)
@decorate_view(shared_read)
def products_get(
    request: HttpRequest,
    product_id: Path[int],
    params: Query[LocaleParams],
    response: HttpResponse,
) -> ProductDetailOut:
    return _detail(request, params, response, product_id=product_id_checked(product_id))


def product_id_checked(product_id: int) -> int:
    """``product_id`` if a product could have it, else the API's 404 for a missing product."""
    if not 1 <= product_id <= MAX_ID:
        raise NotFound(_("This product does not exist."), code="product_not_found")
    return product_id


def _detail(
    request: HttpRequest,
    params: LocaleParams,
    response: HttpResponse,
    *,
    slug: str | None = None,
    product_id: int | None = None,
) -> ProductDetailOut:
    language = language_for(request, params.lang)
    market = market_for(params.market)
    with rendered_in(language, response):
        detail = product_detail(market=market, slug=slug, product_id=product_id)
        return _detail_out(request, detail, language, market.code)


def _detail_out(
    request: HttpRequest, detail: ProductDetail, language: str, market_code: str
) -> ProductDetailOut:
    return ProductDetailOut(
        id=detail.id,
        name=detail.name,
        slug=detail.slug,
        url=_product_url(request, detail.slug),
        description=detail.description,
        seo_title=detail.seo_title,
        seo_description=detail.seo_description,
        breadcrumbs=[BreadcrumbOut(name=b.name, slug=b.slug) for b in detail.breadcrumbs],
        options=[
            OptionOut(
                code=o.code,
                name=o.name,
                values=[
                    OptionValueOut(code=v.code, name=v.name, swatch=v.swatch) for v in o.values
                ],
            )
            for o in detail.options
        ],
        variants=[
            VariantOut(
                id=v.id,
                sku=v.sku,
                barcode=v.barcode,
                options=dict(v.options),
                price=money_out(v.price, language),
                compare_at=money_out(v.compare_at, language),
                available=v.available,
                in_stock=v.available > 0,
                images=[i for i in (image_out(request, img) for img in v.images) if i],
                weight_grams=v.weight_grams,
                length_mm=v.length_mm,
                width_mm=v.width_mm,
                height_mm=v.height_mm,
            )
            for v in detail.variants
        ],
        images=[i for i in (image_out(request, img) for img in detail.images) if i],
        rating=_rating_out(detail.rating_average, detail.rating_count),
        reviews=[review_out(r) for r in detail.reviews],
        price_min=money_out(detail.price_min, language),
        price_max=money_out(detail.price_max, language),
        available=detail.available,
        in_stock=detail.available > 0,
        slugs=dict(detail.slugs),
        market=market_code,
        language=language,
    )
