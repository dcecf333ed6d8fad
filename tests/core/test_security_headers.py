"""Hardening (issue 4 §7): an enforced Content-Security-Policy with a fresh nonce per response
(cached pages included), Stripe allowed on the order page only, templates with nothing the
policy forbids, HSTS and locked-down cookies, CSRF wherever a cookie authenticates, and
``check --deploy`` clean in production settings."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from tests.checkout.conftest import details
from tridex.accounts.models import User
from tridex.cart.models import Cart
from tridex.cart.services import cart_add, cart_get_or_create
from tridex.catalog.services import review_create
from tridex.checkout.services import checkout_place_order
from tridex.core.response_cache import CACHE_HEADER

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "tridex"
ALPINE_ATTRIBUTE = re.compile(r"^(x-data|x-on:|x-bind:|x-show|x-text|x-model|x-init|x-effect|@|:)")
NAME = re.compile(r"^[A-Za-z_$][\w$]*$")


def policy(response) -> dict[str, list[str]]:
    """The enforced CSP of ``response`` as directive -> values."""
    header = response["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {words[0]: words[1:] for words in directives}


def nonces_in(html: str) -> set[str]:
    return set(re.findall(r'nonce="([^"]+)"', html))


class _Forbidden(HTMLParser):
    """Collects what an enforced CSP (without 'unsafe-inline' or eval) would block."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._open_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action") and (value or "").startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:>")
            if name.startswith("hx-on"):
                self.problems.append(f"<{tag} {name}> (htmx inline handler)")
            if ALPINE_ATTRIBUTE.match(name) and value and not NAME.match(value.strip()):
                self.problems.append(f"<{tag} {name}={value!r}> (Alpine expression)")
        if tag == "script" and "src" not in found:
            executable = found.get("type") in (None, "", "text/javascript", "module")
            if executable and "nonce" not in found:
                self.problems.append("inline <script> without a nonce")
        if tag == "style" and "nonce" not in found:
            self.problems.append("<style> without a nonce")


def forbidden_in(html: str) -> list[str]:
    parser = _Forbidden()
    parser.feed(html)
    return parser.problems


@pytest.fixture
def sofa(commerce, make_product):
    return make_product(name_en="Stretch sofa cover", colours=("grey", "blue"))


# --- The policy -------------------------------------------------------------------------------


def test_every_page_enforces_a_nonce_policy_without_inline_or_eval(client, sofa):
    response = client.get("/en/")
    assert "Content-Security-Policy-Report-Only" not in response
    csp = policy(response)
    nonce = csp["script-src"][-1]
    assert re.fullmatch(r"'nonce-[A-Za-z0-9_-]{16,}'", nonce)
    assert csp["script-src"] == ["'self'", nonce] and csp["style-src"] == ["'self'", nonce]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    assert csp["connect-src"] == ["'self'"] and csp["img-src"] == ["'self'", "data:", "blob:"]
    assert csp["default-src"] == ["'self'"]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    assert "stripe" not in header
    # The page's scripts carry the nonce the header names.
    assert nonces_in(response.content.decode()) == {nonce[len("'nonce-") : -1]}


def test_each_response_gets_its_own_nonce(client, sofa):
    first, second = client.get("/en/"), client.get("/en/")
    assert policy(first)["script-src"] != policy(second)["script-src"]


def test_only_the_order_page_lets_stripe_in(client, commerce, make_product, market_th):
    variant = make_product(price="1290", stock=3).variants.get()
    cart = cart_get_or_create(market=market_th)
    cart_add(cart=cart, variant_id=variant.pk, quantity=1)
    placed = checkout_place_order(cart=cart, market=market_th, details=details())
    order_page = client.get(f"/en/orders/t/{placed.order.token}/")
    assert order_page.status_code == 200
    csp = policy(order_page)
    assert "https://js.stripe.com" in csp["script-src"] and "'self'" in csp["script-src"]
    assert csp["frame-src"] == [
        "https://js.stripe.com",
        "https://*.js.stripe.com",
        "https://hooks.stripe.com",
    ]
    assert csp["connect-src"] == ["'self'", "https://api.stripe.com"]
    assert re.fullmatch(r"'nonce-[A-Za-z0-9_-]+'", csp["script-src"][1])
    assert "unsafe" not in order_page["Content-Security-Policy"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "stripe" not in client.get("/en/cart/")["Content-Security-Policy"]
    assert "stripe" not in client.get("/en/checkout/")["Content-Security-Policy"]


def test_the_server_error_page_styles_itself_with_the_responses_nonce(client, settings):
    from tridex.core.views import server_error

    request = Client().get("/en/").wsgi_request
    response = server_error(request)
    assert response.status_code == 500
    (nonce,) = nonces_in(response.content.decode())
    # The CSP middleware names the nonce the page used once it has been generated.
    from django.middleware.csp import ContentSecurityPolicyMiddleware

    headed = ContentSecurityPolicyMiddleware(lambda r: response).process_response(request, response)
    assert f"'nonce-{nonce}'" in policy(headed)["style-src"]


# --- The page cache -------------------------------------------------------------------------


def test_two_pages_from_the_cache_carry_fresh_nonces_that_match_their_headers(sofa, page_cache_on):
    url = f"/en/p/{sofa.slug_en}/"
    Client().get(url)  # someone else's visit fills the cache
    hits = [Client().get(url), Client().get(url)]
    nonces = []
    for hit in hits:
        assert hit[CACHE_HEADER] == "hit"
        html = hit.content.decode()
        assert "\x00" not in html
        (nonce,) = nonces_in(html)
        assert policy(hit)["script-src"] == ["'self'", f"'nonce-{nonce}'"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


# --- Templates --------------------------------------------------------------------------------


def _shop_templates() -> list[Path]:
    """Every template a browser renders as a page (emails and the PDF invoice are not)."""
    return [
        path
        for path in TEMPLATES.glob("**/templates/**/*.html")
        if "/email/" not in str(path) and path.name != "invoice.html"
    ]


def test_no_template_holds_what_the_policy_forbids():
    problems = []
    for path in _shop_templates():
        text = path.read_text()
        # Template tags inside attributes confuse an HTML parser; the rules are textual.
        if re.search(r"\sstyle=", text):
            problems.append(f"{path}: style attribute")
        if re.search(r"\son[a-z]+=", text) or "javascript:" in text or "hx-on" in text:
            problems.append(f"{path}: inline event handler or javascript: URL")
        for attribute, value in re.findall(r'\s((?:x-[a-z]+|@)[\w:.-]*)="([^"]*)"', text):
            if attribute not in ("x-ref", "x-cloak") and value and not NAME.match(value):
                problems.append(f"{path}: {attribute}={value!r}")
        for script in re.findall(r"<script(?![^>]*\ssrc=)([^>]*)>", text):
            if "application/" not in script and "csp_nonce" not in script:
                problems.append(f"{path}: inline <script> without a nonce")
        for style in re.findall(r"<style([^>]*)>", text):
            if "csp_nonce" not in style:
                problems.append(f"{path}: <style> without a nonce")
    assert not problems, "\n".join(problems)


def test_rendered_shop_pages_hold_nothing_the_policy_forbids(client, sofa):
    # Rated, so that cards, the product page and its reviews draw their stars.
    review_create(product=sofa, rating=4, author_name="Ploy", title="Fits", body="Snug.")
    review_create(product=sofa, rating=3, author_name="Nok", title="Fine", body="Thin.")
    variant = sofa.variants.first()
    client.post("/en/cart/add/", {"variant": variant.pk, "quantity": "1"})
    pages = [
        "/en/",
        f"/en/p/{sofa.slug_en}/",
        f"/en/c/{sofa.category.slug_en}/",
        "/en/search/?q=sofa",
        "/en/cart/",
        "/en/checkout/",
        reverse("account_login"),
        reverse("account_signup"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert forbidden_in(html) == [], url
        if url in pages[:3]:  # home, product and category pages show the rating
            assert 'class="stars stars--7"' in html, url  # 3.5 stars, drawn by a class


def test_htmx_runs_without_eval_injected_styles_or_scripts(client, sofa):
    html = client.get("/en/").content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html)
    assert config is not None
    assert config.group(1) == (
        '{"allowEval": false, "allowScriptTags": false, "includeIndicatorStyles": false}'
    )


def test_alpine_is_the_csp_build():
    alpine = TEMPLATES / "static" / "build" / "alpine.min.js"
    code = alpine.read_text()
    # The standard build compiles expressions with the Function constructor (needs eval).
    assert "new AsyncFunction" not in code and "new Function" not in code
    for component in ("autoSubmit", "categoryMenu", "billingAddress"):
        assert f'"{component}"' in (TEMPLATES / "static" / "build" / "app.js").read_text()


# --- Transport and cookies --------------------------------------------------------------------


def test_https_responses_carry_hsts_and_cookies_are_secure_and_http_only(client, sofa, settings):
    assert settings.HTTPS  # the tests run with the production default
    response = client.get("/en/", secure=True)
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    customer = User.objects.create_user(email="somchai@example.com", password="correct-horse-9")
    EmailAddress.objects.create(user=customer, email=customer.email, verified=True, primary=True)
    signed_in = client.post(
        reverse("account_login"),
        {"login": "somchai@example.com", "password": "correct-horse-9"},
        secure=True,
    )
    session = signed_in.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    page = client.get(f"/en/p/{sofa.slug_en}/", secure=True)  # renders a form: CSRF cookie
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"


# --- CSRF -------------------------------------------------------------------------------------


def test_shop_forms_refuse_a_post_without_the_csrf_token(sofa):
    variant = sofa.variants.first()
    browser = Client(enforce_csrf_checks=True)
    for url, data in [
        ("/en/cart/add/", {"variant": variant.pk, "quantity": "1"}),
        ("/en/market/", {"market": "intl"}),
        ("/en/checkout/", {"action": "update"}),
        (reverse("account_login"), {"login": "a@example.com", "password": "x"}),
    ]:
        assert browser.post(url, data).status_code == 403, url
    assert not Cart.objects.exists()


def test_the_api_ignores_the_session_cookie_so_a_forged_post_cannot_act_as_the_customer(sofa):
    """The API authenticates by X-Session-Token only (a header another site cannot send), so it
    needs no CSRF token; a signed-in browser's session cookie does not make it the customer."""
    customer = User.objects.create_user(email="somchai@example.com", password="correct-horse-9")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer)
    response = browser.post(
        "/api/v1/cart/lines",
        {"variant_id": sofa.variants.first().pk, "quantity": 1},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["token"]  # a guest cart, answered with its own token
    assert not Cart.objects.filter(user=customer).exists()
    assert Cart.objects.get().user is None


# --- Production settings --------------------------------------------------------------------


def test_check_deploy_is_clean_with_https_debug_off_and_a_real_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEBUG", "TRIDEX_", "SECRET"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tridex.config.settings",
        DEBUG="0",
        TRIDEX_HTTPS="1",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="shop.example.com",
        EMAIL_HOST="smtp.example.com",
        TRIDEX_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert not (tmp_path / "secret_key").exists()  # the key came from the environment


SECRET_SHAPES = re.compile(
    r"sk_live_[0-9A-Za-z]{8,}|rk_live_[0-9A-Za-z]{8,}|whsec_[0-9A-Za-z]{8,}|AKIA[0-9A-Z]{16}"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----|SECRET_KEY\s*=\s*['\"]"
)


def test_no_secret_is_written_in_the_code():
    """Keys come from the environment (config/settings.py); none is committed."""
    found = [
        f"{path}: {match.group(0)[:12]}…"
        for path in TEMPLATES.rglob("*")
        if path.suffix in {".py", ".html", ".js", ".json", ".toml", ".txt"}
        and "static/build" not in str(path)
        for match in SECRET_SHAPES.finditer(path.read_text(errors="ignore"))
    ]
    assert found == []
    assert SECRET_SHAPES.search('SECRET_KEY = "abc"')  # the check itself can fail
