"""The PDF a customer keeps for a paid order: a receipt, or a Thai full tax invoice.

A buyer who entered a tax ID in the billing address gets a full tax invoice
(ใบกำกับภาษีเต็มรูปแบบ, Revenue Code section 86/4): the seller's and the buyer's name,
address, 13-digit tax ID and branch, a sequential number (the order number), the date, the
goods with their value, and the VAT shown apart. Everyone else gets a receipt with the same
lines and totals. The invoice number is the order number, the date is the day the money
arrived, in the market's time zone.

The seller is read at call time from the ``TRIDEX_SELLER`` setting, a dict of:

``name``
    the registered name of the business, as on its VAT registration;
``address``
    its registered address, one string (lines separated by newlines) or a list of lines;
``tax_id``
    its 13-digit taxpayer identification number;
``branch``
    its branch number as registered: ``"00000"`` (or empty) for the head office
    (สำนักงานใหญ่), ``"00001"`` and up for a branch.

Without the setting a demo seller is used, so a fresh install prints something sensible.

Thai text needs a Thai font on the machine that renders the PDF: the stylesheet asks for
Sarabun, Noto Sans Thai and the TLWG families (Debian's ``fonts-thai-tlwg``) before falling
back to the generic sans-serif.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tridex.core.errors import Conflict
from tridex.orders.emails import (
    AmountRow,
    order_address_lines,
    order_line_rows,
    payment_method_label,
)
from tridex.orders.models import Order, OrderEvent

# The law asks for these words on a tax invoice, in Thai whatever the language of the rest of
# the document (Revenue Code section 86/4), so they are not a translatable string.
THAI_TAX_INVOICE_TITLE = "ใบเสร็จรับเงิน/ใบกำกับภาษี"
HEAD_OFFICE = "00000"

DEMO_SELLER = {
    "name": "Tridex Demo Co., Ltd.",
    "address": "99 Sukhumvit Road, Khlong Toei Nuea\nWatthana, Bangkok 10110\nThailand",
    "tax_id": "0105550123451",
    "branch": HEAD_OFFICE,
}


@dataclass(frozen=True)
class Party:
    """Seller or buyer as printed on the document."""

    name: str
    address: list[str]
    tax_id: str
    branch: str


def order_invoice_pdf(*, order: Order, language: str | None = None) -> bytes:
    """Render the order's receipt or tax invoice as PDF in ``language`` (default: the order's).

    Raises ``Conflict`` (``not_paid``) for an order not fully paid yet: a receipt certifies
    money received.
    """
    from weasyprint import HTML  # heavy import, needed only when a PDF is asked for

    html = order_invoice_html(order=order, language=language)
    return bytes(HTML(string=html).write_pdf())


def order_invoice_html(*, order: Order, language: str | None = None) -> str:
    """The HTML the PDF is printed from (also what a browser preview would show)."""
    if order.paid_amount < order.total or order.total <= 0:
        raise Conflict(
            _("A receipt is issued once the order is paid."), code="not_paid", field="status"
        )
    language = language or order.language
    with translation.override(language):
        return render_to_string("orders/invoice.html", _context(order, language))


def _context(order: Order, language: str) -> dict[str, Any]:
    billing = order.billing_address or order.shipping_address
    tax_invoice = bool((billing.get("tax_id") or "").strip())
    return {
        "language": language,
        "order": order,
        "tax_invoice": tax_invoice,
        "legal_title": THAI_TAX_INVOICE_TITLE if tax_invoice else "",
        "title": _("Receipt / Tax invoice") if tax_invoice else _("Receipt"),
        "seller": _seller(),
        "buyer": _buyer(billing, tax_invoice),
        "date": _issue_date(order),
        "lines": order_line_rows(order, language),
        "shipping": _shipping_row(order, language),
        "totals": _totals(order, language),
        "prices_include_tax": order.prices_include_tax and bool(order.tax_total),
        "payment_method": payment_method_label(order.payment_method),
    }


def _seller() -> Party:
    seller = {**DEMO_SELLER, **getattr(settings, "TRIDEX_SELLER", {})}
    address = seller["address"]
    lines = address.splitlines() if isinstance(address, str) else list(address)
    return Party(
        name=str(seller["name"]),
        address=[line.strip() for line in lines if line.strip()],
        tax_id=str(seller["tax_id"]),
        branch=branch_label(str(seller.get("branch") or "")),
    )


def _buyer(billing: Mapping[str, Any], tax_invoice: bool) -> Party:
    company = str(billing.get("company") or "")
    # A business is invoiced under its registered name; its branch goes on a tax invoice.
    # Checkout does not ask for the branch yet, and a business that does not say is invoiced
    # at its head office.
    business = tax_invoice and bool(company)
    return Party(
        name=company if business else str(billing.get("full_name") or ""),
        address=order_address_lines({**billing, "full_name": "", "company": ""}),
        tax_id=str(billing.get("tax_id") or "").strip(),
        branch=branch_label(str(billing.get("branch") or "")) if business else "",
    )


def branch_label(branch: str) -> str:
    """``00000`` is the head office; any other number a branch."""
    if branch.strip() in ("", HEAD_OFFICE):
        return _("Head office")
    return _("Branch %(number)s") % {"number": branch.strip()}


def _issue_date(order: Order) -> str:
    """The day the money arrived (the tax point of a paid sale), in the market's time zone."""
    paid = (
        order.events.filter(kind=OrderEvent.Kind.PAYMENT, code="paid")
        .order_by("created_at", "id")
        .values_list("created_at", flat=True)
        .first()
    )
    zone = ZoneInfo(order.market.time_zone or settings.TIME_ZONE)
    return date_format(timezone.localtime(paid or order.placed_at, zone), "DATE_FORMAT")


def _shipping_row(order: Order, language: str) -> AmountRow | None:
    if not order.shipping_method_name and not order.shipping_price:
        return None
    label = _("Shipping: %(method)s") % {"method": order.shipping_method_name}
    return AmountRow(label, order.money(order.shipping_price).format(language))


def _totals(order: Order, language: str) -> list[AmountRow]:
    """Value before tax, each tax, total: the same three lines whether prices include tax."""
    money = order.money
    rows = [AmountRow(_("Total before tax"), money(order.total - order.tax_total).format(language))]
    rows += [
        AmountRow(str(tax["name"]), money(Decimal(str(tax["tax"]))).format(language))
        for tax in order.tax_breakdown
    ]
    if not order.tax_breakdown:
        rows.append(AmountRow(_("Tax"), money(order.tax_total).format(language)))
    rows.append(AmountRow(_("Total"), money(order.total).format(language), strong=True))
    return rows
