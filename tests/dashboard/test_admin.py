"""Every admin page renders, changelists do not grow queries with rows, and writes made in the
admin go through the services (movements recorded, price ranges refreshed)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from tridex.catalog.models import Product, Review, Variant
from tridex.catalog.services import product_image_add
from tridex.inventory.models import Stock, StockMovement
from tridex.markets.selectors import market_list
from tridex.pricing.models import Price, ProductPriceRange

OWN_APPS = {"markets", "catalog", "pricing", "inventory"}


def _own_models():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in OWN_APPS
    ]


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def catalog(make_product, market_intl):
    product = make_product(colours=("grey", "navy"))
    Review.objects.create(product=product, author_name="Ann", rating=5, title="Great")
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (120, 120, 130)).save(buffer, "PNG")
    product_image_add(product=product, file=buffer.getvalue())
    return product


def test_every_admin_page_renders(admin_client, catalog):
    assert len(_own_models()) == 14
    for model, model_admin in _own_models():
        response = admin_client.get(_url(model, "changelist"))
        assert response.status_code == 200, model
        request = response.wsgi_request
        if model_admin.has_add_permission(request):
            assert admin_client.get(_url(model, "add")).status_code == 200, model
        obj = model._default_manager.first()
        assert obj is not None, model
        assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200, model


def test_changelist_search_and_filters_render(admin_client, catalog):
    pages = [
        (Product, "?q=Stretch&is_published__exact=1"),
        (Variant, "?q=SKU"),
        (Stock, "?availability=low"),
        (Stock, "?availability=out"),
        (Price, "?q=SKU"),
        (StockMovement, "?reason__exact=counted"),
    ]
    for model, query in pages:
        assert admin_client.get(_url(model, "changelist") + query).status_code == 200


def _changelist_queries(client, model):
    market_list()  # markets are read once per process: count only the page's own queries
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(_url(model, "changelist"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_changelists_run_a_bounded_number_of_queries(admin_client, make_product, market_intl):
    for n in range(2):
        product = make_product(name_en=f"Cover {n}", colours=("grey", "navy"))
        Review.objects.create(product=product, author_name="Ann", rating=4)
    before = {model: _changelist_queries(admin_client, model) for model, _ in _own_models()}
    for n in range(2, 20):
        product = make_product(name_en=f"Cover {n}", colours=("grey", "navy"))
        Review.objects.create(product=product, author_name="Ann", rating=4)
    after = {model: _changelist_queries(admin_client, model) for model, _ in _own_models()}
    grown = {m._meta.label: (before[m], after[m]) for m in before if after[m] > before[m]}
    assert not grown


def _variant_post(variant, prices, stocks):
    """The variant change form as the browser would post it, with price and stock inlines."""
    data = {
        "sku": variant.sku,
        "barcode": variant.barcode,
        "option_values": [v.pk for v in variant.option_values.all()],
        "weight_grams": "0",
        "length_mm": "0",
        "width_mm": "0",
        "height_mm": "0",
        "position": "0",
        "is_active": "on",
    }
    for prefix, rows in (("prices", prices), ("stocks", stocks)):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(sum(1 for r in rows if r.get("id")))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for i, row in enumerate(rows):
            for key, value in row.items():
                data[f"{prefix}-{i}-{key}"] = value
            data[f"{prefix}-{i}-variant"] = str(variant.pk)
    return data


def test_stock_saved_in_variant_admin_records_a_movement(admin_client, catalog, warehouse):
    variant = catalog.variants.first()
    stock = Stock.objects.get(variant=variant, warehouse=warehouse)
    price = Price.objects.get(variant=variant)
    data = _variant_post(
        variant,
        prices=[{"id": price.pk, "market": price.market_id, "amount": str(price.amount)}],
        stocks=[{"id": stock.pk, "warehouse": warehouse.pk, "quantity": "42"}],
    )
    response = admin_client.post(_url(Variant, "change", variant.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    stock.refresh_from_db()
    assert stock.quantity == 42
    movement = StockMovement.objects.filter(stock=stock).first()
    assert (movement.delta, movement.quantity_after, movement.reason) == (37, 42, "counted")
    assert movement.actor == "admin:boss@example.com"


def test_price_saved_in_variant_admin_refreshes_the_price_range(
    admin_client, catalog, market_th, market_intl, warehouse
):
    variant = catalog.variants.first()
    price = Price.objects.get(variant=variant, market=market_th)
    stock = Stock.objects.get(variant=variant, warehouse=warehouse)
    data = _variant_post(
        variant,
        prices=[
            {"id": price.pk, "market": market_th.pk, "amount": "990", "compare_at_amount": "1290"},
            {"market": market_intl.pk, "amount": "19.99"},
        ],
        stocks=[{"id": stock.pk, "warehouse": warehouse.pk, "quantity": str(stock.quantity)}],
    )
    response = admin_client.post(_url(Variant, "change", variant.pk), data)
    assert response.status_code == 302
    th_range = ProductPriceRange.objects.get(product=catalog, market=market_th)
    assert (th_range.min_amount, th_range.max_amount) == (Decimal("990"), Decimal("1290"))
    intl_range = ProductPriceRange.objects.get(product=catalog, market=market_intl)
    assert intl_range.min_amount == Decimal("19.99")


def test_compare_at_below_price_is_a_form_error_not_a_500(admin_client, catalog, market_th):
    variant = catalog.variants.first()
    price = Price.objects.get(variant=variant, market=market_th)
    data = _variant_post(
        variant,
        prices=[
            {"id": price.pk, "market": market_th.pk, "amount": "990", "compare_at_amount": "500"}
        ],
        stocks=[],
    )
    response = admin_client.post(_url(Variant, "change", variant.pk), data)
    assert response.status_code == 200
    assert "compare-at price must be higher" in response.content.decode()
    price.refresh_from_db()
    assert price.amount == Decimal("1290")


def test_stock_admin_add_and_change_go_through_stock_set(admin_client, catalog, warehouse):
    stock = Stock.objects.filter(warehouse=warehouse).first()
    response = admin_client.post(_url(Stock, "change", stock.pk), {"quantity": "3"})
    assert response.status_code == 302
    stock.refresh_from_db()
    assert stock.quantity == 3
    assert StockMovement.objects.filter(stock=stock, quantity_after=3, delta=-2).exists()


def test_stock_below_reserved_is_refused_with_a_message(admin_client, catalog, warehouse):
    stock = Stock.objects.filter(warehouse=warehouse).first()
    Stock.objects.filter(pk=stock.pk).update(reserved=4)
    response = admin_client.post(_url(Stock, "change", stock.pk), {"quantity": "2"})
    assert response.status_code == 200
    assert "reserved for checkouts" in response.content.decode()
    stock.refresh_from_db()
    assert stock.quantity == 5


def test_stock_movements_are_read_only(admin_client, catalog):
    movement = StockMovement.objects.first()
    assert admin_client.get(_url(StockMovement, "add")).status_code == 403
    assert (
        admin_client.post(_url(StockMovement, "delete", movement.pk), {"post": "yes"}).status_code
        == 403
    )
    response = admin_client.post(_url(StockMovement, "change", movement.pk), {"delta": "99"})
    assert response.status_code == 403
    movement.refresh_from_db()
    assert movement.delta != 99


def test_price_range_admin_is_read_only(admin_client, catalog):
    assert admin_client.get(_url(ProductPriceRange, "add")).status_code == 403


def test_review_actions_approve_and_unapprove_update_the_rating(admin_client, catalog):
    review = Review.objects.get(product=catalog)
    catalog.refresh_from_db()
    url = _url(Review, "changelist")
    admin_client.post(url, {"action": "unapprove", "_selected_action": [review.pk]})
    review.refresh_from_db()
    catalog.refresh_from_db()
    assert review.is_approved is False
    assert catalog.rating_count == 0
    admin_client.post(url, {"action": "approve", "_selected_action": [review.pk]})
    catalog.refresh_from_db()
    assert (catalog.rating_count, catalog.rating_average) == (1, Decimal("5.00"))


def test_category_changelist_indents_by_depth(admin_client, catalog):
    from tridex.catalog.models import Category

    parent = catalog.category
    Category.objects.create(
        parent=parent, name_en="Two seat", name_th="สองที่นั่ง", slug_en="two-seat", slug_th="สองที่นั่ง"
    )
    html = admin_client.get(_url(Category, "changelist")).content.decode()
    assert "padding-left:1.5em" in html


def test_product_change_page_shows_prices_and_stock(admin_client, catalog):
    html = admin_client.get(_url(Product, "change", catalog.pk)).content.decode()
    assert "SKU-1-grey" in html
    assert "1290.00 THB" in html
    assert "bkk: 5" in html
