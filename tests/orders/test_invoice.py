"""The PDF of a paid order: a receipt, or a Thai full tax invoice for a buyer with a tax ID.

Text is checked on the HTML the PDF is printed from (``order_invoice_html``); where poppler's
``pdftotext`` and a Thai font are installed, the PDF's own text is checked as well.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime

import pytest
from django.utils import translation

from tests.checkout.conftest import details
from tests.conftest import THAI_ADDRESS
from tridex.cart.services import cart_add, cart_get_or_create
from tridex.checkout.services import checkout_place_order
from tridex.core.errors import Conflict
from tridex.orders.invoice import THAI_TAX_INVOICE_TITLE, order_invoice_html, order_invoice_pdf
from tridex.orders.models import Order, OrderEvent
from tridex.orders.services import order_mark_paid

SELLER = {
    "name": "บริษัท ผ้าคลุมดี จำกัด",
    "address": ["1 ถนนพระราม 4", "ปทุมวัน กรุงเทพมหานคร 10330"],
    "tax_id": "0105556677889",
    "branch": "00000",
}
BUYER_TAX_ID = "0105561234567"
COMPANY_BILLING = {**THAI_ADDRESS, "company": "บริษัท ลูกค้า จำกัด", "tax_id": BUYER_TAX_ID}


@pytest.fixture(autouse=True)
def _seller(settings):
    settings.TRIDEX_SELLER = SELLER


@pytest.fixture
def paid_order(commerce, make_product, market_th):
    """A Thai order for two covers at ฿1,290, paid by PromptPay."""

    def make(language="th", billing_address=None, pay=True) -> Order:
        variant = make_product(price="1290", stock=5).variants.get()
        cart = cart_get_or_create(market=market_th)
        cart_add(cart=cart, variant_id=variant.pk, quantity=2)
        data = details(language=language, billing_address=billing_address)
        with translation.override(language):
            order = checkout_place_order(cart=cart, market=market_th, details=data).order
        if pay:
            order = order_mark_paid(order=order, amount=order.money(order.total))
        return order

    return make


def test_a_buyer_with_a_tax_id_gets_a_full_tax_invoice(paid_order):
    order = paid_order(billing_address=COMPANY_BILLING)

    html = order_invoice_html(order=order, language="en")

    assert THAI_TAX_INVOICE_TITLE in html and "Receipt / Tax invoice" in html
    assert SELLER["name"] in html and "ปทุมวัน กรุงเทพมหานคร 10330" in html
    assert "Tax ID: 0105556677889 (Head office)" in html
    assert "บริษัท ลูกค้า จำกัด" in html  # a business is invoiced under its own name
    assert f"Tax ID: {BUYER_TAX_ID} (Head office)" in html
    assert "Bangkok 10110" in html  # the buyer's address, in the document's language
    assert f"<dd>{order.number}</dd>" in html


def test_thai_orders_show_the_vat_inside_the_price(paid_order):
    order = paid_order(billing_address=COMPANY_BILLING)

    html = order_invoice_html(order=order)  # the order's language: Thai

    assert 'lang="th"' in html
    assert "ผ้าคลุมโซฟายืดหยุ่น" in html and "กรุงเทพมหานคร 10110" in html
    # 2 × ฿1,290 = ฿2,580 with free shipping; 7% VAT inside: ฿168.79, before it ฿2,411.21.
    for amount in ("฿1,290.00", "฿2,411.21", "฿168.79", "฿2,580.00"):
        assert amount in html
    assert html.index("฿2,411.21") < html.index("VAT 7%") < html.index("฿168.79")


def test_without_a_tax_id_it_is_a_plain_receipt(paid_order):
    order = paid_order()

    html = order_invoice_html(order=order, language="en")

    assert THAI_TAX_INVOICE_TITLE not in html and "Tax invoice" not in html
    assert "<h1>Receipt</h1>" in html
    assert "สมชาย ใจดี" in html and BUYER_TAX_ID not in html
    assert "Payment method: PromptPay QR" in html


def test_the_date_is_the_day_of_payment_in_the_market_time_zone(paid_order):
    order = paid_order()
    # 18:30 UTC on 31 January is already 1 February in Bangkok.
    OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.PAYMENT).update(
        created_at=datetime(2026, 1, 31, 18, 30, tzinfo=UTC)
    )

    html = order_invoice_html(order=order, language="en")

    assert "<dd>Feb. 1, 2026</dd>" in html


def test_an_unpaid_order_has_no_receipt(paid_order):
    order = paid_order(pay=False)

    with pytest.raises(Conflict) as raised:
        order_invoice_pdf(order=order)

    assert raised.value.code == "not_paid"


def test_the_pdf_is_a_pdf(paid_order):
    pdf = order_invoice_pdf(order=paid_order(billing_address=COMPANY_BILLING))

    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")


def fold_sara_am(text: str) -> str:
    return text.replace("\u0e33", "\u0e32")


def _thai_font_installed() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    fonts = subprocess.run([fc_list, ":lang=th", "family"], capture_output=True, text=True)
    return bool(fonts.stdout.strip())


@pytest.mark.skipif(
    shutil.which("pdftotext") is None or not _thai_font_installed(),
    reason="needs poppler-utils (pdftotext) and a Thai font (fonts-thai-tlwg)",
)
def test_the_pdf_text_carries_the_thai_title_and_both_tax_ids(paid_order, tmp_path):
    order = paid_order(billing_address=COMPANY_BILLING)
    path = tmp_path / "invoice.pdf"
    path.write_bytes(order_invoice_pdf(order=order))

    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout

    # The font draws SARA AM (ำ) as NIKHAHIT + SARA AA, and a PDF maps each glyph back to one
    # character only, so text extraction can read า as ำ; compare with the two folded together.
    assert fold_sara_am(THAI_TAX_INVOICE_TITLE) in fold_sara_am(text)
    assert SELLER["tax_id"] in text and BUYER_TAX_ID in text and order.number in text
