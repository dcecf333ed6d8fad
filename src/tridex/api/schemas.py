"""Request and response schemas of the REST API v1.

Money and other decimals travel as strings (``"1290.00"``), never as JSON numbers: a float
cannot hold 0.1 exactly, and a client that parses a price as a float has already lost a satang.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

# The API contract caps the page size; a bigger page would make one request as costly as many.
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 24
# Upper bound for price filters: big enough for any sofa in any currency, small enough that the
# database never sees a number it cannot store.
MAX_PRICE = Decimal("1000000000")

SortParam = Literal["relevance", "newest", "price_asc", "price_desc", "rating", "name"]


# --- Errors -----------------------------------------------------------------------------------


class ErrorOut(Schema):
    """Every error the API returns: a stable machine code, a message for people, the field."""

    code: str = Field(..., examples=["not_found"])
    message: str
    field: str | None = Field(None, description="The parameter or field the error is about.")


class FieldErrorOut(Schema):
    field: str
    message: str


class ValidationErrorOut(ErrorOut):
    """A 422: ``field`` names the first invalid parameter, ``errors`` lists all of them."""

    errors: list[FieldErrorOut] = Field(default_factory=list)


# --- Shared values ----------------------------------------------------------------------------


class MoneyOut(Schema):
    amount: str = Field(..., description="Decimal amount as a string.", examples=["1290.00"])
    currency: str = Field(..., description="ISO 4217 code.", examples=["THB"])
    formatted: str = Field(..., description="For display in the response's language.")


class ImageOut(Schema):
    src: str = Field(..., description="A mid-size JPEG for <img src>.")
    srcset_webp: str
    srcset_jpeg: str
    width: int
    height: int
    alt: str


class RatingOut(Schema):
    average: str | None = Field(None, description="Decimal average from 1 to 5, or null.")
    count: int


# --- Markets ----------------------------------------------------------------------------------


class MarketOut(Schema):
    code: str
    name: str
    currency: str
    languages: list[str]
    default_language: str
    prices_include_tax: bool
    tax_rate: str = Field(..., description="Standard tax rate in percent, as a decimal string.")
    is_default: bool


# --- Categories -------------------------------------------------------------------------------


class CategoryOut(Schema):
    id: int
    parent_id: int | None
    name: str
    slug: str
    depth: int
    path: str = Field(..., description="Materialized path of ids from the root, e.g. '3/17/'.")


class CategoryDetailOut(CategoryOut):
    description: str
    seo_title: str
    seo_description: str


# --- Products ---------------------------------------------------------------------------------


class ProductListParams(Schema):
    """Filters, sort and page of the product list.

    Option filters are open-ended (every shop has its own options), so besides ``options``
    the list also accepts one parameter per option code: ``colour=grey&colour=navy``.
    """

    category: str | None = Field(None, max_length=200, description="Category slug.")
    q: str = Field("", max_length=200, description="Search text, Thai or English.")
    options: list[str] = Field(
        default_factory=list,
        description="Option filters as 'code:value', repeatable (options=colour:grey).",
    )
    price_min: Decimal | None = Field(
        None, ge=0, le=MAX_PRICE, allow_inf_nan=False, description="In the market's currency."
    )
    price_max: Decimal | None = Field(
        None, ge=0, le=MAX_PRICE, allow_inf_nan=False, description="In the market's currency."
    )
    in_stock: bool = Field(False, description="Only products available in the market.")
    sort: SortParam | None = Field(
        None, description="Default: 'relevance' with a search text, else 'newest'."
    )
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    market: str | None = Field(None, max_length=32, description="Market code; default market.")
    lang: str | None = Field(
        None, max_length=16, description="th or en; default from Accept-Language, else th."
    )


class ProductCardOut(Schema):
    id: int
    name: str
    slug: str
    url: str
    category_id: int
    image: ImageOut | None
    price_min: MoneyOut | None
    price_max: MoneyOut | None
    compare_at: MoneyOut | None
    is_on_sale: bool
    rating: RatingOut
    available: int = Field(..., description="Units available to sell in the market.")
    in_stock: bool


class FacetValueOut(Schema):
    code: str
    name: str
    swatch: str
    count: int
    selected: bool


class FacetOut(Schema):
    code: str
    name: str
    values: list[FacetValueOut]


class ProductPageOut(Schema):
    items: list[ProductCardOut]
    total: int
    page: int
    page_size: int
    num_pages: int
    sort: str
    facets: list[FacetOut]
    corrected_query: str | None = Field(
        None, description="Set when a misspelled search text was corrected."
    )
    market: str
    language: str


class OptionValueOut(Schema):
    code: str
    name: str
    swatch: str


class OptionOut(Schema):
    code: str
    name: str
    values: list[OptionValueOut]


class VariantOut(Schema):
    id: int
    sku: str
    barcode: str
    options: dict[str, str] = Field(..., description="Option code -> value code.")
    price: MoneyOut | None = Field(..., description="Null when not sold in the market.")
    compare_at: MoneyOut | None
    available: int
    in_stock: bool
    images: list[ImageOut]
    weight_grams: int
    length_mm: int
    width_mm: int
    height_mm: int


class ReviewOut(Schema):
    author_name: str
    rating: int
    title: str
    body: str
    created_at: datetime
    verified_purchase: bool = Field(
        False, description="The author had bought the product when they wrote the review."
    )


def review_out(review: Any) -> ReviewOut:
    """A review as the API shows it, from a stored review or the product page's read model."""
    return ReviewOut(
        author_name=review.author_name,
        rating=review.rating,
        title=review.title,
        body=review.body,
        created_at=review.created_at,
        verified_purchase=review.verified_purchase,
    )


class BreadcrumbOut(Schema):
    name: str
    slug: str


class ProductDetailOut(Schema):
    id: int
    name: str
    slug: str
    url: str
    description: str
    seo_title: str
    seo_description: str
    breadcrumbs: list[BreadcrumbOut]
    options: list[OptionOut]
    variants: list[VariantOut]
    images: list[ImageOut]
    rating: RatingOut
    reviews: list[ReviewOut]
    price_min: MoneyOut | None
    price_max: MoneyOut | None
    available: int
    in_stock: bool
    slugs: dict[str, str] = Field(..., description="Language -> slug of this product.")
    market: str
    language: str


class LanguageParams(Schema):
    """The language a read is rendered in."""

    lang: str | None = Field(
        None, max_length=16, description="th or en; default from Accept-Language, else th."
    )


class LocaleParams(LanguageParams):
    """The market and language a read is rendered in."""

    market: str | None = Field(None, max_length=32, description="Market code; default market.")
