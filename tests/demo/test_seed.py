"""The seed command: the reference shop (idempotent, bilingual, priced, stocked, reviewed)
and the synthetic --scale catalog."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from tridex.accounts.models import Address, User
from tridex.catalog.models import Category, Product, ProductImage, Review, Variant
from tridex.catalog.services import gtin_check_digit
from tridex.inventory.models import Stock, StockMovement, Warehouse
from tridex.markets.models import Market
from tridex.pricing.models import Price, ProductPriceRange
from tridex.pricing.selectors import variant_prices
from tridex.search.selectors import product_listing
from tridex.search.types import ListingQuery


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed", *args, "--image-size", "360", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = (Product, Variant, Price, Stock, ProductImage, Review, Category, User, Address)
    return {m.__name__: m.objects.count() for m in models}


@pytest.mark.django_db(transaction=True)
def test_seed_loads_the_reference_shop_once():
    output = seed()
    assert "Nuan Home demo shop ready" in output

    th, intl = Market.objects.get(code="th"), Market.objects.get(code="intl")
    assert (th.currency, th.is_default, th.prices_include_tax, th.tax_name) == (
        "THB",
        True,
        True,
        "VAT",
    )
    assert (intl.currency, str(intl.exchange_rate), intl.price_rounding) == (
        "USD",
        "0.02800000",
        "99",
    )
    assert set(Warehouse.objects.get(code="cnx").markets.values_list("code", flat=True)) == {"th"}

    products = Product.objects.all()
    assert products.count() >= 60
    assert all(p.name_th and p.name_en and p.slug_th and p.slug_en for p in products)
    assert all(p.description_th and p.seo_title_en for p in products)
    assert products.filter(name_th__contains="ผ้าคลุมโซฟากันน้ำ").count() >= 3
    assert products.filter(name_en__contains="Waterproof Sofa Cover").exists()
    assert Category.objects.filter(slug_en="velvet-sofa-covers", parent__slug_en="sofa-covers")

    variants = Variant.objects.all()
    assert all(2 <= p.variants.count() <= 12 for p in products)
    assert all(gtin_check_digit(v.barcode[:-1]) == int(v.barcode[-1]) for v in variants)
    thb = Price.objects.filter(market=th)
    assert thb.count() == variants.count()
    assert thb.filter(amount__lt=590).count() == 0 and thb.filter(amount__gt=4990).count() == 0
    assert thb.filter(compare_at_amount__isnull=False).exists()
    prices = variant_prices(variant_ids=variants.values_list("pk", flat=True), market=intl)
    kinds = {p.is_converted for p in prices.values()}
    assert len(prices) == variants.count() and kinds == {True, False}
    assert ProductPriceRange.objects.filter(market=intl).count() == products.count()

    assert Stock.objects.filter(quantity__gt=0).exists()
    assert any(
        not v.stocks.filter(quantity__gt=0).exists() for v in variants.prefetch_related("stocks")
    )
    image = ProductImage.objects.first()
    assert ProductImage.objects.count() >= products.count()
    assert default_storage.exists(image.renditions["320"]["webp"])

    reviews = Review.objects.all()
    assert reviews.count() >= 150
    assert {"th", "en"} <= set(reviews.values_list("language", flat=True))
    assert len(set(reviews.values_list("rating", flat=True))) >= 4
    rated = products.filter(rating_count__gt=0).first()
    assert rated.rating_count == rated.reviews.filter(is_approved=True).count()
    assert User.objects.count() == 10
    assert (
        Address.objects.exclude(country="TH").exists()
        and Address.objects.filter(country="TH").exists()
    )
    assert User.objects.get(email="daniel.tan@example.com").check_password("nuan-home-demo")

    before = counts()
    assert "0 created, 63 already present" in seed()
    assert counts() == before


@pytest.mark.django_db(transaction=True)
def test_seed_scale_then_reset():
    output = seed("--scale", "300")
    assert "300 products" in output
    synthetic = Product.objects.filter(slug_en__startswith="syn-")
    assert synthetic.count() == 300
    assert Variant.objects.filter(product__in=synthetic).count() >= 600
    assert ProductPriceRange.objects.filter(product__in=synthetic).count() == 600
    assert not ProductImage.objects.filter(product__in=synthetic, renditions={}).exists()
    stocks = Stock.objects.filter(variant__product__in=synthetic)
    assert stocks.exists()
    assert StockMovement.objects.filter(stock__in=stocks).count() == stocks.count()
    one = synthetic.get(slug_en__startswith="syn-8-")
    assert one.name_th.startswith("ผ้าคลุมโซฟายืด") and one.name_en.startswith("Stretch Sofa Cover")
    assert one.variants.first().option_values.count() == 3  # colour, seats, fabric
    # The rebuilt search index finds synthetic products in both languages.
    th = Market.objects.get(code="th")
    assert product_listing(market=th, query=ListingQuery(query="Velvet Cushion")).total >= 30
    assert product_listing(market=th, query=ListingQuery(query="ปลอกหมอนอิง")).total >= 30

    seed("--scale", "300")  # tops up to N: nothing new
    assert synthetic.count() == 300

    seed("--reset", "--scale", "10")
    assert synthetic.count() == 10


def test_seed_rejects_bad_arguments():
    with pytest.raises(CommandError):
        call_command("seed", "--scale", "0")
