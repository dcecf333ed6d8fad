"""Shared fixtures: the two demo markets, a warehouse, and a small catalog factory.

Tests that need PostgreSQL or Redis are marked; under ``CI=true`` a missing service fails the
test instead of skipping it, so CI can never go green without having exercised them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db import connection

from tests.payments.stripe_server import FakeStripe
from tridex.catalog.models import Category, Option, OptionValue, Product, ProductType, Variant
from tridex.core import refcache
from tridex.inventory.models import Stock, Warehouse
from tridex.inventory.services import stock_set
from tridex.markets.models import Market, PriceRounding
from tridex.payments.gateways.stripe import StripeGateway
from tridex.pricing.services import price_set

IN_CI = os.environ.get("CI", "").lower() == "true"


def stock_of(variant: Variant) -> tuple[int, int]:
    """(units in stock, units held) of the variant's stock row."""
    stock = Stock.objects.get(variant=variant)
    return stock.quantity, stock.reserved


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true requires this service: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _services_for_markers(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _missing("PostgreSQL is not configured (set DATABASE_URL)")
    if request.node.get_closest_marker("redis") and not os.environ.get("REDIS_URL"):
        _missing("Redis is not configured (set REDIS_URL)")


@pytest.fixture(autouse=True, scope="session")
def _in_memory_task_queue():
    """Tasks queued by tests go to an in-process queue, never to var/broker or to the Redis
    that a real worker might be reading. Tests that need a worker start their own."""
    from tridex.config.celery import app

    real = app.conf.broker_url
    app.conf.broker_url = "memory://"
    yield real
    app.conf.broker_url = real


@pytest.fixture
def real_task_queue(_in_memory_task_queue):
    """The configured broker (Redis in CI), for the tests that check it is reachable."""
    from tridex.config.celery import app

    app.conf.broker_url = _in_memory_task_queue
    yield
    app.conf.broker_url = "memory://"


@pytest.fixture
def eager_celery():
    """Run queued tasks in the test's process (the worker's job outside tests)."""
    from tridex.config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture(autouse=True)
def _fresh_reference_tables() -> None:
    """Each test reads markets, tax rates, delivery methods and payment options afresh: the
    per-process copies would otherwise outlive the rows an earlier test rolled back."""
    refcache.clear_all()


@pytest.fixture
def page_cache_on(settings):
    """The whole-response page cache on, as in production, from an empty shared cache: no page,
    no catalog generation, and nothing this process remembers of either."""
    from django.core.cache import cache

    from tridex.core.response_cache import clear_local_copies
    from tridex.search import listing_cache

    def empty() -> None:
        cache.clear()
        clear_local_copies()
        listing_cache.forget_local()

    settings.PAGE_CACHE_SECONDS = 300
    empty()
    yield
    empty()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(monkeypatch) -> None:
    """Each test counts its requests from zero: its own namespace of rate-limit counters."""
    from tridex.core import ratelimit

    monkeypatch.setattr(ratelimit, "KEY_PREFIX", f"ratelimit-{uuid.uuid4().hex}")


@pytest.fixture(autouse=True)
def _plain_http(settings) -> None:
    """The test client speaks plain HTTP; production settings would redirect it to HTTPS."""
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _no_page_cache(settings) -> None:
    """Tests see what they just wrote; the page cache has its own tests that turn it on."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _plain_static_storage(settings) -> None:
    """Templates use {% static %}; the manifest storage would need collectstatic before tests."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def market_th(db) -> Market:
    market = Market.objects.create(
        code="th",
        name_th="ประเทศไทย",
        name_en="Thailand",
        countries=["TH"],
        currency="THB",
        languages=["th", "en"],
        default_language="th",
        prices_include_tax=True,
        tax_rate=Decimal("7"),
        tax_name="VAT",
        is_default=True,
        time_zone="Asia/Bangkok",
    )
    return market


@pytest.fixture
def market_intl(db, market_th) -> Market:
    market = Market.objects.create(
        code="intl",
        name_th="ต่างประเทศ",
        name_en="International",
        countries=[],
        currency="USD",
        languages=["en"],
        default_language="en",
        prices_include_tax=False,
        exchange_rate=Decimal("0.028"),
        price_rounding=PriceRounding.NINETY_NINE,
        position=1,
    )
    return market


@pytest.fixture
def warehouse(db, market_th, market_intl) -> Warehouse:
    wh = Warehouse.objects.create(code="bkk", name="Bangkok")
    wh.markets.set([market_th, market_intl])
    return wh


@pytest.fixture
def make_product(db, market_th, warehouse):
    """Build a published product with one variant per colour, priced in THB and stocked."""
    counter = {"n": 0}

    def make(
        name_en: str = "Stretch sofa cover",
        name_th: str = "ผ้าคลุมโซฟายืดหยุ่น",
        colours: tuple[str, ...] = ("grey",),
        price: str = "1290",
        stock: int = 5,
        category: Category | None = None,
        **fields,
    ) -> Product:
        counter["n"] += 1
        n = counter["n"]
        ptype, _ = ProductType.objects.get_or_create(name_en="Sofa cover", name_th="ผ้าคลุมโซฟา")
        colour, _ = Option.objects.get_or_create(
            code="colour", defaults={"name_en": "Colour", "name_th": "สี"}
        )
        ptype.options.add(colour)
        if category is None:
            category, _ = Category.objects.get_or_create(
                slug_en="sofa-covers",
                defaults={"name_en": "Sofa covers", "name_th": "ผ้าคลุมโซฟา", "slug_th": "ผ้าคลุมโซฟา"},
            )
        product = Product.objects.create(
            product_type=ptype,
            category=category,
            name_en=name_en,
            name_th=name_th,
            slug_en=f"{name_en.lower().replace(' ', '-')}-{n}",
            slug_th=f"{name_th.replace(' ', '-')}-{n}",
            **fields,
        )
        for i, code in enumerate(colours):
            value, _ = OptionValue.objects.get_or_create(
                option=colour, code=code, defaults={"name_en": code.title(), "name_th": code}
            )
            variant = Variant.objects.create(product=product, sku=f"SKU-{n}-{code}", position=i)
            variant.option_values.add(value)
            price_set(variant=variant, market=market_th, amount=Decimal(price))
            stock_set(variant=variant, warehouse=warehouse, quantity=stock)
        return product

    return make


# --- Commerce: delivery, tax and payment options as the demo shop has them ----------------------

THAI_ADDRESS = {
    "full_name": "สมชาย ใจดี",
    "phone": "081 234 5678",
    "country": "TH",
    "line1": "99/1 ถนนสุขุมวิท",
    "subdistrict": "คลองเตยเหนือ",
    "district": "วัฒนา",
    "province": "TH-10",
    "postcode": "10110",
}
US_ADDRESS = {
    "full_name": "Jane Doe",
    "country": "US",
    "line1": "1 Market St",
    "city": "San Francisco",
    "region": "CA",
    "postcode": "94105",
}


@pytest.fixture
def commerce(db, market_th, market_intl, warehouse):
    """Shipping methods, tax rates and payment options of the reference shop."""
    from tridex.payments.services import payments_seed_demo
    from tridex.shipping.services import shipping_seed_demo
    from tridex.tax.services import tax_seed_demo

    markets = {"th": market_th, "intl": market_intl}
    shipping_seed_demo(markets=markets)
    tax_seed_demo(markets=markets)
    payments_seed_demo(markets=markets)
    return markets


# --- The fake Stripe: tests drive the real SDK against it over HTTP -----------------------------


@pytest.fixture
def stripe_server() -> Iterator[FakeStripe]:
    """A running fake Stripe on 127.0.0.1 (a free port), stopped after the test."""
    with FakeStripe() as server:
        yield server


@pytest.fixture
def stripe_gateway(stripe_server: FakeStripe) -> StripeGateway:
    """A StripeGateway pointed at the fake; no automatic retries, so failures show at once."""
    return StripeGateway(
        secret_key=stripe_server.api_key,
        webhook_secret=stripe_server.webhook_secret,
        api_base=stripe_server.url,
        timeout=5,
        max_network_retries=0,
    )


@pytest.fixture
def stripe_settings(settings, stripe_server: FakeStripe):
    """Django settings pointing ``StripeGateway.from_settings()`` at the fake server."""
    settings.STRIPE_SECRET_KEY = stripe_server.api_key
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_tridexfake"
    settings.STRIPE_WEBHOOK_SECRET = stripe_server.webhook_secret
    settings.STRIPE_API_BASE = stripe_server.url
    return settings


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Each test starts in the default language: a request activates its page's language for
    the rest of the thread, which made later tests depend on which test ran before them."""
    from django.utils import translation

    translation.deactivate()


# --- Staff sign-in factors -------------------------------------------------------------------


def enrol_totp(user) -> str:
    """Give ``user`` an authenticator app and recovery codes, as enrolling does; return the
    app's secret (``totp_code(secret)`` computes its current code)."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def totp_secret_of(user) -> str:
    """The secret of ``user``'s authenticator app."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    totp = Authenticator.objects.get(user_id=user.pk, type=Authenticator.Type.TOTP)
    return decrypt(totp.data["secret"])


def totp_code(secret: str, at: float | None = None) -> str:
    """The code an authenticator app with ``secret`` shows at ``at`` (default: now)."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(time.time() if at is None else at) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def _enrol_staff(sender, instance, **kwargs) -> None:
    from allauth.mfa.models import Authenticator

    if instance.is_staff and not Authenticator.objects.filter(user_id=instance.pk).exists():
        enrol_totp(instance)


@pytest.fixture(autouse=True)
def _staff_have_a_factor(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every staff account a test makes has an authenticator app, as every staff account must
    have while TRIDEX_STAFF_MFA_REQUIRED is on (the default, kept on in tests). Tests of the
    requirement itself ask for ``staff_without_factor``."""
    if "staff_without_factor" in request.fixturenames:
        yield
        return
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_save

    uid = "tests.enrol_staff"
    post_save.connect(_enrol_staff, sender=get_user_model(), dispatch_uid=uid)
    yield
    post_save.disconnect(sender=get_user_model(), dispatch_uid=uid)


@pytest.fixture
def staff_without_factor() -> None:
    """Staff accounts made in this test have no second factor (see ``_staff_have_a_factor``)."""


def admin_user_page_data(page) -> dict:
    """The user page's form as a browser would send it back, inline rows included."""
    form = page.context["adminform"].form
    data = {n: form[n].value() for n in form.fields if form[n].value() is not None}
    data.pop("password", None)
    for key in ("last_login", "date_joined"):
        value = data.pop(key, None)
        if value:
            data[f"{key}_0"], data[f"{key}_1"] = f"{value:%Y-%m-%d}", f"{value:%H:%M:%S}"
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
        for inline_form in formset.formset.forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value is not None:
                    data[inline_form.add_prefix(name)] = getattr(value, "pk", value)
    data.update({"is_staff": "on", "is_active": "on"})
    return data
