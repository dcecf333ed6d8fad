"""A phone-sized Chromium picks another colour: price, stock, SKU and photo change in place.

Needs the built assets (``npm ci && npm run build`` in ``frontend/``) and Debian's Chromium.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tridex.catalog.models import Option, OptionValue, ProductImage, Variant
from tridex.inventory.services import stock_set
from tridex.pricing.services import price_set

CHROMIUM = "/usr/bin/chromium"
BUILD = Path(__file__).resolve().parents[2] / "src" / "tridex" / "static" / "build"


@pytest.fixture
def sofa(transactional_db, make_product, market_th, warehouse):
    product = make_product(name_en="Stretch sofa cover", colours=())
    colour = Option.objects.get(code="colour")
    for position, (code, swatch, price, stock) in enumerate(
        [("grey", "#8a8a86", "1290", 10), ("blue", "#34508a", "1490", 2)]
    ):
        value = OptionValue.objects.create(
            option=colour, code=code, name_en=code.title(), swatch=swatch, position=position
        )
        variant = Variant.objects.create(
            product=product, sku=f"E2E-{code.upper()}", position=position
        )
        variant.option_values.add(value)
        price_set(variant=variant, market=market_th, amount=Decimal(price))
        stock_set(variant=variant, warehouse=warehouse, quantity=stock)
        ProductImage.objects.create(
            product=product,
            variant=variant,
            image=f"products/{code}.jpg",
            width=800,
            height=600,
            alt_en=f"{code} cover",
            position=position,
        )
    return product


@pytest.mark.e2e
def test_picking_a_colour_updates_price_stock_and_sku_without_reload(
    live_server, sofa, monkeypatch
):
    # Playwright's sync API runs an event loop in this thread; Django then refuses ORM calls made
    # from it unless told this use is safe. Set for this test only: a module-level setting would
    # leak into every test of the process (and make `check --deploy` fail there).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    assert (BUILD / "htmx.min.js").is_file(), "build the assets first: cd frontend && npm run build"
    assert Path(CHROMIUM).is_file(), "install Debian's Chromium: apt-get install -y chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(
                viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
            )
            page.goto(f"{live_server.url}/en/p/{sofa.slug_en}/")
            page.wait_for_function("window.htmx !== undefined")
            page.evaluate("window.__tridexMarker = 'same-document'")
            expect(page.locator("[data-sku]")).to_have_text("E2E-GREY")
            expect(page.locator("[data-stock]")).to_have_text("In stock")
            price_before = page.locator("[data-price]").inner_text()

            page.locator("label[for='opt-colour-blue']").click()

            expect(page.locator("[data-sku]")).to_have_text("E2E-BLUE")
            expect(page.locator("[data-stock]")).to_have_text("Only 2 left")
            assert page.locator("[data-price]").inner_text() != price_before
            assert "1,490.00" in page.locator("[data-price]").inner_text()
            expect(page.locator(".gallery__slide img").first).to_have_attribute("alt", "blue cover")
            assert page.evaluate("window.__tridexMarker") == "same-document"  # no navigation
            blue = sofa.variants.get(sku="E2E-BLUE")
            expect(page).to_have_url(f"{live_server.url}/en/p/{sofa.slug_en}/?variant={blue.pk}")
            expect(page.locator("#opt-colour-blue")).to_be_checked()
        finally:
            browser.close()
