"""product_detail: variants, prices per market, availability, images, options, reviews."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tridex.catalog.models import Category, OptionValue, Review
from tridex.core.errors import NotFound
from tridex.core.money import Money
from tridex.pricing.services import price_set
from tridex.search.selectors import product_detail


def test_detail_by_slug_in_either_language(market_th, make_product):
    product = make_product(name_en="Linen sofa cover", name_th="ผ้าคลุมโซฟาลินิน")
    by_en = product_detail(market=market_th, slug=product.slug_en)
    by_th = product_detail(market=market_th, slug=product.slug_th)
    assert by_en.id == by_th.id == product.pk
    assert by_en.name == "Linen sofa cover"
    assert by_en.slugs == {"th": product.slug_th, "en": product.slug_en}
    with translation.override("th"):
        assert product_detail(market=market_th, product_id=product.pk).name == "ผ้าคลุมโซฟาลินิน"


def test_variants_with_options_prices_and_stock(market_th, make_product, add_variant, warehouse):
    product = make_product(name_en="Stretch cover", colours=())
    cheap = add_variant(product, "S-GREY-2", {"colour": "grey", "seats": "2"}, "990", stock=4)
    dear = add_variant(product, "S-BLUE-3", {"colour": "blue", "seats": "3"}, "1490", stock=0)
    price_set(variant=cheap, market=market_th, amount="990", compare_at="1290")
    detail = product_detail(market=market_th, product_id=product.pk)
    by_sku = {v.sku: v for v in detail.variants}
    assert by_sku["S-GREY-2"].options == {"colour": "grey", "seats": "2"}
    assert by_sku["S-GREY-2"].price == Money("990", "THB")
    assert by_sku["S-GREY-2"].compare_at == Money("1290", "THB")
    assert by_sku["S-GREY-2"].available == 4
    assert by_sku["S-BLUE-3"].available == 0
    assert (detail.price_min, detail.price_max) == (Money("990", "THB"), Money("1490", "THB"))
    assert detail.available == 4
    assert dear.pk in {v.id for v in detail.variants}


def test_options_list_only_values_of_active_variants_in_position_order(
    market_th, make_product, add_variant
):
    product = make_product(name_en="Stretch cover", colours=())
    add_variant(product, "A", {"colour": "grey"})
    add_variant(product, "B", {"colour": "blue"})
    inactive = add_variant(product, "C", {"colour": "red"})
    inactive.is_active = False
    inactive.save()
    OptionValue.objects.filter(code="blue").update(position=1)
    OptionValue.objects.filter(code="grey").update(position=2)
    detail = product_detail(market=market_th, product_id=product.pk)
    assert [(o.code, [v.code for v in o.values]) for o in detail.options] == [
        ("colour", ["blue", "grey"])
    ]
    assert "C" not in {v.sku for v in detail.variants}


def test_converted_prices_in_the_international_market(market_intl, make_product):
    product = make_product(price="1290")
    detail = product_detail(market=market_intl, product_id=product.pk)
    assert [v.price for v in detail.variants] == [Money("36.99", "USD")]
    assert detail.price_min == Money("36.99", "USD")


def test_images_of_the_product_and_of_each_variant(market_th, make_product, add_image):
    product = make_product(colours=("grey", "blue"))
    grey = product.variants.get(sku__endswith="grey")
    add_image(product, "main", position=0)
    add_image(product, "grey", variant=grey, position=1)
    detail = product_detail(market=market_th, product_id=product.pk)
    assert [i.src for i in detail.images] == ["/media/r/main-640.jpg", "/media/r/grey-640.jpg"]
    images = {v.id: [i.src for i in v.images] for v in detail.variants}
    assert images[grey.pk] == ["/media/r/grey-640.jpg"]
    assert [srcs for vid, srcs in images.items() if vid != grey.pk] == [[]]


def test_approved_reviews_latest_first_at_most_twenty(market_th, make_product):
    product = make_product()
    for i in range(22):
        Review.objects.create(product=product, author_name=f"R{i}", rating=5)
    Review.objects.create(product=product, author_name="Hidden", rating=1, is_approved=False)
    reviews = product_detail(market=market_th, product_id=product.pk).reviews
    assert len(reviews) == 20
    assert reviews[0].author_name == "R21"
    assert "Hidden" not in {r.author_name for r in reviews}


def test_breadcrumbs_from_the_root(market_th, make_product):
    root = Category.objects.create(name_en="Covers", name_th="ผ้าคลุม", slug_en="covers")
    leaf = Category.objects.create(name_en="Sofa", name_th="โซฟา", slug_en="sofa", parent=root)
    product = make_product(category=leaf)
    crumbs = product_detail(market=market_th, product_id=product.pk).breadcrumbs
    assert [(c.name, c.slug) for c in crumbs] == [("Covers", "covers"), ("Sofa", "sofa")]


def test_hidden_or_unknown_products_are_not_found(market_th, make_product):
    hidden = make_product(is_published=False)
    future = make_product(available_from=timezone.now() + timedelta(hours=1))
    for kwargs in (
        {"product_id": hidden.pk},
        {"slug": future.slug_en},
        {"slug": "no-such-product"},
        {"product_id": 999_999},
    ):
        with pytest.raises(NotFound):
            product_detail(market=market_th, **kwargs)


def test_fixed_number_of_queries_whatever_the_number_of_variants(
    market_th, make_product, add_image, django_assert_num_queries
):
    one = make_product(colours=("grey",))
    many = make_product(colours=("grey", "blue", "red", "green", "black"))
    for product in (one, many):
        add_image(product, f"p{product.pk}")
        for variant in product.variants.all():
            add_image(product, f"v{variant.pk}", variant=variant)
        Review.objects.create(product=product, author_name="A", rating=4)
    product_detail(market=market_th, product_id=one.pk)  # warm the market cache
    with CaptureQueriesContext(connection) as context:
        product_detail(market=market_th, product_id=one.pk)
    expected = len(context.captured_queries)
    assert expected <= 10
    with django_assert_num_queries(expected):
        detail = product_detail(market=market_th, product_id=many.pk)
    assert len(detail.variants) == 5
