"""Read models shared by every edge (storefront pages, API, dashboard).

``search.selectors`` builds these from catalog, pricing and inventory in a fixed number of
queries; the edges only render them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tridex.core.money import Money

SORTS = ("relevance", "newest", "price_asc", "price_desc", "rating", "name")


@dataclass(frozen=True)
class ImageRef:
    src: str  # a mid-size JPEG, the <img src> fallback
    srcset_webp: str  # "url 320w, url 640w, ..."
    srcset_jpeg: str
    width: int
    height: int
    alt: str


@dataclass(frozen=True)
class ProductCard:
    id: int
    name: str
    slug: str
    category_id: int
    image: ImageRef | None
    price_min: Money | None
    price_max: Money | None
    compare_at: Money | None
    rating_average: Decimal | None
    rating_count: int
    available: int

    @property
    def is_on_sale(self) -> bool:
        return (
            self.compare_at is not None
            and self.price_min is not None
            and self.compare_at > self.price_min
        )

    @property
    def in_stock(self) -> bool:
        return self.available > 0

    @property
    def has_price_range(self) -> bool:
        return (
            self.price_min is not None
            and self.price_max is not None
            and (self.price_max > self.price_min)
        )


@dataclass(frozen=True)
class FacetValue:
    code: str
    name: str
    swatch: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    code: str  # option code: "colour", "size", "fabric", "seats"
    name: str
    values: list[FacetValue]


@dataclass(frozen=True)
class ListingQuery:
    category_id: int | None = None
    query: str = ""
    options: dict[str, list[str]] = field(default_factory=dict)  # option code -> value codes
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    in_stock_only: bool = False
    featured_only: bool = False  # products the shop flagged "featured"
    sort: str = ""  # "" = "relevance" when there is a query, else "newest"
    page: int = 1
    page_size: int = 24


@dataclass(frozen=True)
class ListingPage:
    items: list[ProductCard]
    total: int
    page: int
    page_size: int
    num_pages: int
    facets: list[Facet]
    sort: str
    corrected_query: str | None = None  # set when a misspelled query was corrected


@dataclass(frozen=True)
class OptionValueView:
    code: str
    name: str
    swatch: str


@dataclass(frozen=True)
class OptionView:
    code: str
    name: str
    values: list[OptionValueView]


@dataclass(frozen=True)
class VariantView:
    id: int
    sku: str
    barcode: str
    options: dict[str, str]  # option code -> value code
    price: Money | None
    compare_at: Money | None
    available: int
    images: list[ImageRef]
    weight_grams: int
    length_mm: int
    width_mm: int
    height_mm: int


@dataclass(frozen=True)
class ReviewView:
    author_name: str
    rating: int
    title: str
    body: str
    created_at: object  # datetime
    verified_purchase: bool = False


@dataclass(frozen=True)
class Breadcrumb:
    name: str
    slug: str


@dataclass(frozen=True)
class ProductDetail:
    id: int
    name: str
    slug: str
    description: str
    seo_title: str
    seo_description: str
    breadcrumbs: list[Breadcrumb]
    options: list[OptionView]
    variants: list[VariantView]
    images: list[ImageRef]
    rating_average: Decimal | None
    rating_count: int
    reviews: list[ReviewView]
    price_min: Money | None
    price_max: Money | None
    available: int
    slugs: dict[str, str]  # language -> slug, for hreflang links and the language switch
