"""Under the enforced Content-Security-Policy a phone-sized Chromium browses the home page,
picks a variant and adds it to the cart, and checks out: the Alpine components (CSP build) and
the htmx swaps all work, and the browser reports no violation of the policy."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import totp_code, totp_secret_of
from tests.e2e.test_checkout import PASSWORD, fill_address, phone, user
from tridex.orders.models import Order

# Records every violation the page reports, before any of the page's own scripts run.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def sofa(transactional_db, commerce, make_product):
    return make_product(name_en="Stretch sofa cover", colours=("grey", "blue"), price="1290")


def watched(browser) -> tuple[Page, list[str]]:
    """A phone page whose CSP complaints, from the console or the DOM event, are collected."""
    page = phone(browser)
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(RECORD_VIOLATIONS)
    return page, console


def assert_no_violation(page: Page, console: list[str]) -> None:
    assert page.evaluate("window.__cspViolations") == []
    assert console == []


@pytest.mark.e2e
def test_the_shop_works_under_the_enforced_policy_without_a_violation(live_server, browser, sofa):
    page, console = watched(browser)
    base = f"{live_server.url}/en"

    # Home: the policy is enforced, and Alpine's category menu folds and unfolds.
    response = page.goto(f"{base}/")
    assert response is not None
    header = response.headers["content-security-policy"]
    assert "'nonce-" in header and "unsafe-eval" not in header and "unsafe-inline" not in header
    page.wait_for_function("window.Alpine !== undefined && window.htmx !== undefined")
    toggle = page.locator(".main-nav__toggle")
    expect(toggle).to_be_visible()
    expect(page.locator("#main-nav-list")).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#main-nav-list")).to_be_visible()
    assert_no_violation(page, console)

    # Alpine's auto-submitting market switch.
    page.select_option("#market-select", "intl")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#market-select")).to_have_value("intl")
    page.select_option("#market-select", "th")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#market-select")).to_have_value("th")

    # Product: htmx swaps the variant picker in place, then the cart takes the variant.
    page.goto(f"{base}/p/{sofa.slug_en}/")
    page.evaluate("window.__sameDocument = true")
    page.locator("label[for='opt-colour-blue']").click()
    blue = sofa.variants.get(option_values__code="blue")
    expect(page.locator("[data-sku]")).to_have_text(blue.sku)
    assert page.evaluate("window.__sameDocument") is True
    assert_no_violation(page, console)
    page.locator("button[data-add-to-cart]").click()
    expect(page).to_have_url(f"{base}/cart/")
    expect(page.locator("[data-cart-count]")).to_have_text("1")

    # Checkout: htmx re-prices, Alpine shows and hides the billing address.
    page.goto(f"{base}/checkout/")
    page.fill("[name=email]", "guest@example.com")
    fill_address(page)
    billing_same = page.locator("input[name=billing_same]")
    billing = page.locator("[x-ref=billing]")
    billing_same.uncheck()
    expect(billing).to_be_visible()
    billing_same.check()
    expect(billing).to_be_hidden()
    assert_no_violation(page, console)
    page.locator("input[name=payment_method][value=promptpay]").check()
    page.locator("button[name=action][value=place]").click()

    order = Order.objects.get()
    expect(page).to_have_url(f"{base}/orders/t/{order.token}/")
    expect(page.locator("[data-promptpay] svg")).to_be_visible()
    assert_no_violation(page, console)


@pytest.mark.e2e
def test_a_script_the_page_did_not_sign_is_blocked_and_reported(live_server, browser, sofa):
    """The check above can fail: an injected inline script is refused and seen as a violation."""
    page, console = watched(browser)
    page.goto(f"{live_server.url}/en/")
    page.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "window.__injected = true";
        document.body.appendChild(script);
    }"""
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__injected === undefined")
    assert any(v.startswith("script-src") for v in page.evaluate("window.__cspViolations"))
    page.wait_for_timeout(200)  # console messages arrive asynchronously
    assert any("script-src" in text for text in console), console


@pytest.mark.e2e
def test_the_back_office_and_the_api_docs_run_under_the_policy(live_server, browser, sofa):
    staff = user("owner@example.com", staff=True)
    page, console = watched(browser)
    # The back office sends staff to the shop's sign-in, then asks for their second factor:
    # both pages run under the policy too.
    page.goto(f"{live_server.url}/admin/")
    page.fill("input[name=login]", staff.email)
    page.fill("input[name=password]", PASSWORD)
    assert_no_violation(page, console)
    page.locator("form:has(input[name=login]) [type=submit]").first.click()
    page.fill("input[name=code]", totp_code(totp_secret_of(staff)))
    assert_no_violation(page, console)
    page.locator("form:has(input[name=code]) [type=submit]").click()
    expect(page.locator("#site-name")).to_be_visible()
    for path in ("/admin/", "/admin/catalog/product/", f"/admin/catalog/product/{sofa.pk}/change/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert_no_violation(page, console)
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Tridex API")
    assert_no_violation(page, console)
