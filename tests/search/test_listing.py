"""product_listing: text search in both languages, filters, sorts, pages, facets, bad input."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tridex.catalog.models import Category, Option
from tridex.core.errors import ValidationFailed
from tridex.core.money import Money
from tridex.search import selectors
from tridex.search.selectors import product_listing
from tridex.search.services import search_index_products, search_index_rebuild
from tridex.search.types import ListingQuery


def names(page) -> list[str]:
    return [card.name for card in page.items]


def listing(market, **params):
    return product_listing(market=market, query=ListingQuery(**params))


# --- text search ----------------------------------------------------------------------------


def test_thai_query_finds_the_thai_product(market_th, catalog):
    page = listing(market_th, query="ผ้าคลุมโซฟา กันน้ำ")
    assert [card.id for card in page.items] == [catalog["waterproof"].pk]
    assert page.sort == "relevance"
    assert page.corrected_query is None


def test_thai_query_without_spaces_or_with_extra_spaces(market_th, catalog):
    for text in ("ผ้าคลุมโซฟากันน้ำ", "ผ้าคลุม โซฟา กันน้ำ"):
        page = listing(market_th, query=text)
        assert [card.id for card in page.items] == [catalog["waterproof"].pk], text


def test_thai_query_shows_thai_names_in_thai(market_th, catalog):
    with translation.override("th"):
        page = listing(market_th, query="กันน้ำ")
    assert names(page) == ["ผ้าคลุมโซฟากันน้ำ 3 ที่นั่ง"]


def test_misspelled_english_query_is_corrected(market_th, catalog):
    page = listing(market_th, query="waterprof sofa cuver")
    assert [card.id for card in page.items] == [catalog["waterproof"].pk]
    assert page.corrected_query == "waterproof sofa cover"


def test_english_plural_and_case_do_not_matter(market_th, catalog):
    page = listing(market_th, query="LINEN Covers")
    assert [card.id for card in page.items] == [catalog["linen"].pk]


def test_every_word_must_match(market_th, catalog):
    assert names(listing(market_th, query="linen sofa")) == ["Linen sofa cover, 2 seats"]
    assert listing(market_th, query="linen cushion").total == 0


def test_unrelated_query_finds_nothing(market_th, catalog):
    for text in ("xylophone", "quantum laptop", "!!!"):
        page = listing(market_th, query=text)
        assert page.total == 0 and page.items == [] and page.facets == [], text


def test_name_ranks_above_description(market_th, make_product):
    in_description = make_product(
        name_en="Cushion cover", name_th="ปลอกหมอน", description_en="Matches any waterproof sofa."
    )
    in_name = make_product(name_en="Waterproof throw", name_th="ผ้าห่มกันน้ำ")
    search_index_rebuild()
    page = listing(market_th, query="waterproof")
    assert [card.id for card in page.items] == [in_name.pk, in_description.pk]


def test_a_broad_query_keeps_the_strongest_matches_of_its_rarest_word(
    market_th, make_product, monkeypatch
):
    """Past the candidate cap, a query keeps the products where its rarest word weighs most."""
    monkeypatch.setattr(selectors, "MAX_TEXT_CANDIDATES", 2)
    in_name = [make_product(name_en=f"Velvet sofa cover {n}", name_th="ผ้าคลุม") for n in (1, 2)]
    for n in (3, 4, 5):
        make_product(name_en=f"Sofa cover {n}", name_th="ผ้าคลุม", description_en="Soft velvet.")
    make_product(name_en="Sofa cover 6", name_th="ผ้าคลุม")  # "sofa" is the commoner word
    search_index_rebuild()
    page = listing(market_th, query="sofa velvet")
    assert page.total == 2
    assert {card.id for card in page.items} == {product.pk for product in in_name}
    assert listing(market_th, query="sofa").total == 2


def test_category_and_option_names_are_searchable(market_th, catalog, make_product):
    care = Category.objects.create(name_en="Care products", name_th="ดูแลผ้า", slug_en="care")
    spray = make_product(name_en="Fabric spray", name_th="สเปรย์", category=care)
    search_index_products(product_ids=[spray.pk])
    assert [c.id for c in listing(market_th, query="care").items] == [spray.pk]
    assert [c.id for c in listing(market_th, query="blue").items] == [catalog["waterproof"].pk]


# --- visibility -----------------------------------------------------------------------------


def test_unpublished_and_out_of_dates_products_are_hidden(market_th, make_product):
    now = timezone.now()
    make_product(name_en="Hidden sofa cover", is_published=False)
    make_product(name_en="Future sofa cover", available_from=now + timedelta(days=1))
    make_product(name_en="Expired sofa cover", available_until=now - timedelta(days=1))
    shown = make_product(name_en="Current sofa cover", available_from=now - timedelta(days=1))
    search_index_rebuild()
    assert [card.id for card in listing(market_th).items] == [shown.pk]
    assert [card.id for card in listing(market_th, query="sofa cover").items] == [shown.pk]


# --- filters --------------------------------------------------------------------------------


def test_filter_by_colour_matches_any_active_variant(market_th, catalog):
    page = listing(market_th, options={"colour": ["grey"]})
    assert {card.id for card in page.items} == {catalog["waterproof"].pk, catalog["linen"].pk}
    page = listing(market_th, options={"colour": ["red", "blue"]})  # OR within an option
    assert {card.id for card in page.items} == {catalog["waterproof"].pk, catalog["cushion"].pk}


def test_inactive_variants_do_not_match_options(market_th, catalog):
    catalog["waterproof"].variants.filter(sku__endswith="blue").update(is_active=False)
    search_index_products(product_ids=[catalog["waterproof"].pk])  # what the catalog event does
    assert listing(market_th, options={"colour": ["blue"]}).total == 0


def test_options_combine_with_and_across_options(market_th, make_product, add_variant):
    product = make_product(name_en="Stretch cover", colours=())
    add_variant(product, "S-GREY-2", {"colour": "grey", "seats": "2"})
    add_variant(product, "S-BLUE-3", {"colour": "blue", "seats": "3"})
    other = make_product(name_en="Other cover", colours=())
    add_variant(other, "O-GREY-3", {"colour": "grey", "seats": "3"})
    add_variant(other, "O-RED-2", {"colour": "red", "seats": "2"})
    third = make_product(name_en="Third cover", colours=())
    add_variant(third, "T-GREY-4", {"colour": "grey", "seats": "4"})
    search_index_rebuild()  # variant changes reach the listing tables through the index

    def ids(options):
        return {card.id for card in listing(market_th, options=options).items}

    assert ids({"colour": ["grey"], "seats": ["3"]}) == {product.pk, other.pk}
    assert ids({"colour": ["red"], "seats": ["3"]}) == {other.pk}
    assert ids({"colour": ["red", "blue"], "seats": ["3", "4"]}) == {product.pk, other.pk}
    assert ids({"colour": ["red"], "seats": ["4"]}) == set()


def test_price_range_filter_in_the_market_currency(market_th, market_intl, catalog):
    page = listing(market_th, price_min=Decimal("1000"), price_max=Decimal("2000"))
    assert [card.id for card in page.items] == [catalog["waterproof"].pk]
    page = listing(market_th, price_min="2000")
    assert [card.id for card in page.items] == [catalog["linen"].pk]
    # 390 THB * 0.028 = 10.92 -> 10.99 USD; 1290 -> 36.99; 2490 -> 69.99
    page = listing(market_intl, price_max=Decimal("37"))
    assert {card.id for card in page.items} == {catalog["cushion"].pk, catalog["waterproof"].pk}


def test_in_stock_only(market_th, catalog):
    page = listing(market_th, in_stock_only=True)
    assert catalog["cushion"].pk not in {card.id for card in page.items}
    assert page.total == 2


def test_category_includes_descendants(market_th, make_product):
    parent = Category.objects.create(name_en="Covers", name_th="ผ้าคลุม", slug_en="covers")
    child = Category.objects.create(
        name_en="Sofa covers", name_th="ผ้าคลุมโซฟา", slug_en="sofa", parent=parent
    )
    other = Category.objects.create(name_en="Care", name_th="ดูแล", slug_en="care")
    in_parent = make_product(name_en="A", category=parent)
    in_child = make_product(name_en="B", category=child)
    make_product(name_en="C", category=other)
    page = listing(market_th, category_id=parent.pk)
    assert {card.id for card in page.items} == {in_parent.pk, in_child.pk}
    assert [card.id for card in listing(market_th, category_id=child.pk).items] == [in_child.pk]


# --- sorting and pages ---------------------------------------------------------------------


def test_sorts(market_th, catalog):
    waterproof, cushion, linen = catalog["waterproof"], catalog["cushion"], catalog["linen"]
    type(waterproof).objects.filter(pk=waterproof.pk).update(rating_average=Decimal("4.5"))
    type(linen).objects.filter(pk=linen.pk).update(rating_average=Decimal("4.9"))
    order = {
        "newest": [linen, cushion, waterproof],
        "price_asc": [cushion, waterproof, linen],
        "price_desc": [linen, waterproof, cushion],
        "rating": [linen, waterproof, cushion],
        "name": [linen, cushion, waterproof],
    }
    for sort, expected in order.items():
        page = listing(market_th, sort=sort)
        assert [card.id for card in page.items] == [p.pk for p in expected], sort
        assert page.sort == sort


def test_name_sort_follows_the_active_language(market_th, make_product):
    a = make_product(name_en="Zebra cover", name_th="กขค")
    b = make_product(name_en="Apple cover", name_th="ฮฮฮ")
    assert [c.id for c in listing(market_th, sort="name").items] == [b.pk, a.pk]
    with translation.override("th"):
        assert [c.id for c in listing(market_th, sort="name").items] == [a.pk, b.pk]


def test_pagination(market_th, make_product):
    products = [make_product(name_en=f"Cover {i}") for i in range(5)]
    newest_first = [p.pk for p in reversed(products)]
    first = listing(market_th, page_size=2)
    last = listing(market_th, page_size=2, page=3)
    beyond = listing(market_th, page_size=2, page=4)
    assert [c.id for c in first.items] == newest_first[:2]
    assert [c.id for c in last.items] == newest_first[4:]
    assert (first.total, first.num_pages) == (5, 3)
    assert beyond.items == [] and beyond.total == 5 and beyond.page == 4


# --- facets ---------------------------------------------------------------------------------


def facet_counts(page) -> dict[str, dict[str, int]]:
    return {f.code: {v.code: v.count for v in f.values} for f in page.facets}


def test_facet_counts_follow_the_result_set(market_th, catalog):
    assert facet_counts(listing(market_th)) == {"colour": {"grey": 2, "blue": 1, "red": 1}}
    assert facet_counts(listing(market_th, query="waterproof")) == {
        "colour": {"grey": 1, "blue": 1}
    }
    assert facet_counts(listing(market_th, price_max=1000)) == {"colour": {"red": 1}}


def test_facets_of_a_selected_option_ignore_its_own_filter(market_th, make_product, add_variant):
    p1 = make_product(name_en="One", colours=())
    add_variant(p1, "1-G-2", {"colour": "grey", "seats": "2"})
    p2 = make_product(name_en="Two", colours=())
    add_variant(p2, "2-B-3", {"colour": "blue", "seats": "3"})
    search_index_rebuild()
    page = listing(market_th, options={"colour": ["grey"]})
    counts = facet_counts(page)
    assert counts["colour"] == {"grey": 1, "blue": 1}  # still offers blue
    assert counts["seats"] == {"2": 1}  # only products in grey
    colour = next(f for f in page.facets if f.code == "colour")
    assert [v.code for v in colour.values if v.selected] == ["grey"]


def test_options_that_are_not_filterable_have_no_facet(market_th, catalog):
    Option.objects.filter(code="colour").update(is_filterable=False)
    assert listing(market_th).facets == []


# --- cards ----------------------------------------------------------------------------------


def test_card_prices_images_and_availability(market_th, catalog, add_image):
    waterproof = catalog["waterproof"]
    add_image(waterproof, "second", position=2)
    add_image(waterproof, "first", position=1)
    card = next(c for c in listing(market_th).items if c.id == waterproof.pk)
    assert card.price_min == Money("1290", "THB") == card.price_max
    assert card.available == 10  # two variants, five each
    assert card.image is not None
    assert card.image.src == "/media/r/first-640.jpg"
    assert card.image.srcset_webp.startswith("/media/r/first-320.webp 320w, ")
    assert (card.image.width, card.image.height) == (640, 480)
    assert card.image.alt == "first photo"
    assert card.slug == waterproof.slug_en


def test_card_image_falls_back_to_the_original(market_th, catalog, add_image):
    add_image(catalog["linen"], "raw", widths=())
    card = next(c for c in listing(market_th).items if c.id == catalog["linen"].pk)
    assert card.image.src == "/media/products/raw.jpg"
    assert card.image.srcset_jpeg == ""
    assert (card.image.width, card.image.height) == (2000, 1500)


def test_converted_usd_prices_in_the_international_market(market_intl, catalog):
    page = listing(market_intl, sort="price_asc")
    assert [card.price_min for card in page.items] == [
        Money("10.99", "USD"),
        Money("36.99", "USD"),
        Money("69.99", "USD"),
    ]


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "cheapest"}, "sort"),
        ({"sort": "relevance"}, "sort"),  # relevance needs a query
        ({"page": 0}, "page"),
        ({"page": "two"}, "page"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 101}, "page_size"),
        ({"price_min": "-1"}, "price_min"),
        ({"price_min": "cheap"}, "price_min"),
        ({"price_max": "NaN"}, "price_max"),
        ({"price_min": "500", "price_max": "100"}, "price_max"),
        ({"options": {"material": ["silk"]}}, "options.material"),
        ({"options": {"colour": ["plaid"]}}, "options.colour"),
        ({"category_id": 99999}, "category_id"),
    ],
)
def test_invalid_parameters_name_the_field(market_th, catalog, params, field):
    with pytest.raises(ValidationFailed) as error:
        listing(market_th, **params)
    assert error.value.field == field
    assert error.value.status == 422


# --- query counts -------------------------------------------------------------------------


def count_queries(market, **params) -> int:
    with CaptureQueriesContext(connection) as context:
        listing(market, **params)
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"query": "sofa cover", "options": {"colour": ["grey"]}, "in_stock_only": True},
        {"sort": "price_asc", "price_min": "1", "category_id": "category"},
    ],
)
def test_fixed_number_of_queries_whatever_the_page_size(
    market_th, make_product, add_image, django_assert_num_queries, params
):
    products = [
        make_product(name_en=f"Sofa cover {i}", colours=("grey", "blue")) for i in range(12)
    ]
    for product in products:
        add_image(product, f"p{product.pk}")
    search_index_rebuild()
    if params.get("category_id") == "category":
        params = {**params, "category_id": products[0].category_id}
    listing(market_th, **params)  # warm the per-process caches (markets, vocabulary)
    expected = count_queries(market_th, page_size=5, **params)
    assert expected <= 8
    with django_assert_num_queries(expected):
        page = listing(market_th, page_size=50, **params)
    assert len(page.items) == 12


# --- reindexing -------------------------------------------------------------------------


def test_a_changed_product_is_reindexed_when_its_change_commits(
    market_th, catalog, django_capture_on_commit_callbacks
):
    from tridex.core import events

    product = catalog["cushion"]
    assert listing(market_th, query="bolster").total == 0
    with django_capture_on_commit_callbacks(execute=True):
        type(product).objects.filter(pk=product.pk).update(name_en="Velvet bolster cover")
        events.emit("catalog.product_changed", product_ids=[product.pk])
    assert [c.id for c in listing(market_th, query="bolster").items] == [product.pk]
    assert listing(market_th, query="cushion").total == 0


def test_unpublished_product_leaves_the_index(market_th, catalog):
    from tridex.search.models import SearchPosting

    product = catalog["linen"]
    type(product).objects.filter(pk=product.pk).update(is_published=False)
    search_index_products(product_ids=[product.pk])
    assert not SearchPosting.objects.filter(product_id=product.pk).exists()
    assert listing(market_th, query="linen").total == 0


# --- cached counts --------------------------------------------------------------------------


def test_counts_are_cached_until_the_index_changes(market_th, catalog, monkeypatch):
    from tridex.search import listing_cache

    monkeypatch.setattr(listing_cache, "MIN_TOTAL", 0)
    with CaptureQueriesContext(connection) as cold:
        first = listing(market_th)
    with CaptureQueriesContext(connection) as warm:
        second = listing(market_th)
    assert len(warm) == len(cold) - 2  # neither the count nor the facet query ran again
    assert (second.total, facet_counts(second)) == (first.total, facet_counts(first))
    catalog["waterproof"].variants.filter(sku__endswith="blue").update(is_active=False)
    search_index_products(product_ids=[catalog["waterproof"].pk])
    assert facet_counts(first)["colour"]["blue"] == 1
    assert "blue" not in facet_counts(listing(market_th))["colour"]  # the new generation counts


def test_small_results_are_counted_live(market_th, catalog, make_product):
    before = listing(market_th).total
    make_product(name_en="Unindexed but visible")  # created without the catalog's event
    assert listing(market_th).total == before + 1


def test_featured_only_lists_just_the_products_the_shop_flagged(market_th, catalog):
    catalog["linen"].is_featured = True
    catalog["linen"].save(update_fields=["is_featured"])
    page = listing(market_th, featured_only=True)
    assert [card.id for card in page.items] == [catalog["linen"].pk] and page.total == 1
    assert len(listing(market_th).items) == 3
