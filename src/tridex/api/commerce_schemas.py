"""Schemas of the cart, wishlist, checkout, order and payment endpoints."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from tridex.api.schemas import ImageOut, MoneyOut


class CartLineIn(Schema):
    variant_id: int = Field(..., ge=1, le=2**63 - 1)
    quantity: int = Field(1, ge=1, le=99)


class QuantityIn(Schema):
    quantity: int = Field(..., ge=0, le=99, description="0 removes the line.")


class CartLineOut(Schema):
    id: int
    variant_id: int
    product_id: int
    product_name: str
    variant_label: str
    sku: str
    quantity: int
    available: int
    unit_price: MoneyOut | None
    line_total: MoneyOut | None
    previous_price: MoneyOut | None = None
    problem: str = Field("", description="unavailable, out_of_stock or price_changed.")
    message: str = ""
    image: ImageOut | None = None


class TaxLineOut(Schema):
    name: str
    rate: str
    taxable: MoneyOut
    tax: MoneyOut


class CartOut(Schema):
    token: str | None = Field(
        None, description="A guest's cart token: send it back as the X-Cart-Token header."
    )
    market: str
    lines: list[CartLineOut]
    item_count: int
    subtotal: MoneyOut
    tax: list[TaxLineOut]
    prices_include_tax: bool
    total: MoneyOut
    can_check_out: bool


class WishlistItemOut(Schema):
    variant_id: int
    product_id: int
    product_name: str
    variant_label: str
    sku: str
    price: MoneyOut | None
    available: int
    image: ImageOut | None = None


class WishlistOut(Schema):
    token: str | None = Field(None, description="A guest's wishlist token (X-Wishlist-Token).")
    share_token: str
    items: list[WishlistItemOut]


class WishlistItemIn(Schema):
    variant_id: int = Field(..., ge=1, le=2**63 - 1)


class AddressIn(Schema):
    full_name: str = ""
    company: str = ""
    tax_id: str = ""
    phone: str = ""
    country: str = "TH"
    line1: str = ""
    line2: str = ""
    subdistrict: str = ""
    district: str = ""
    province: str = Field("", description="ISO 3166-2 code of a Thai province, e.g. TH-10.")
    city: str = ""
    region: str = ""
    postcode: str = ""


class QuoteIn(Schema):
    country: str = Field("", max_length=2)
    region: str = Field("", max_length=8)
    postcode: str = Field("", max_length=16)
    shipping_method: str = Field("", max_length=32)


class ShippingOptionOut(Schema):
    code: str
    name: str
    description: str
    price: MoneyOut
    estimate: str
    is_free: bool


class PaymentOptionOut(Schema):
    method: str
    label: str


class QuoteOut(Schema):
    cart: CartOut
    country: str
    shipping_options: list[ShippingOptionOut]
    shipping: ShippingOptionOut | None
    tax: list[TaxLineOut]
    total: MoneyOut
    payment_options: list[PaymentOptionOut]


class PlaceOrderIn(Schema):
    email: str = Field("", max_length=254, description="Optional when signed in.")
    shipping_address: AddressIn
    billing_address: AddressIn | None = Field(None, description="Omit: same as shipping.")
    shipping_method: str = Field(..., max_length=32)
    payment_method: str = Field(..., max_length=16)
    expected_total: str | None = Field(
        None, max_length=32, description="The total shown; a different total refuses the order."
    )
    currency: str = Field("", max_length=3)
    customer_note: str = Field("", max_length=1000)


class PaymentOut(Schema):
    reference: str
    method: str
    status: str
    amount: MoneyOut
    expires_at: datetime | None
    promptpay_payload: str = Field("", description="EMVCo payload to render as a QR code.")
    promptpay_qr_svg: str = ""
    stripe_client_secret: str = Field("", description="For Stripe's Payment Element.")
    stripe_publishable_key: str = ""


class OrderLineOut(Schema):
    product_name: str
    variant_name: str
    sku: str
    quantity: int
    unit_price: MoneyOut
    total: MoneyOut
    tax: MoneyOut
    quantity_shipped: int
    quantity_cancelled: int = Field(..., description="Taken off the order before shipping.")
    quantity_returned: int = Field(..., description="Shipped, then sent back.")


class ShipmentOut(Schema):
    carrier: str
    tracking_number: str
    tracking_url: str
    shipped_at: datetime


class TimelineOut(Schema):
    at: datetime
    text: str


class OrderOut(Schema):
    number: str
    token: str = Field(..., description="Opens the order without signing in (keep it secret).")
    status: str
    status_label: str = Field(..., description="The status, with a partial refund beside it.")
    refund_status: str = Field(..., description="none, partial or full.")
    placed_at: datetime
    email: str
    currency: str
    lines: list[OrderLineOut]
    subtotal: MoneyOut
    shipping: MoneyOut
    shipping_method: str
    tax: MoneyOut
    total: MoneyOut
    paid: MoneyOut
    refunded: MoneyOut
    prices_include_tax: bool
    shipping_address: dict[str, str]
    billing_address: dict[str, str]
    shipments: list[ShipmentOut]
    timeline: list[TimelineOut]
    payment: PaymentOut | None


class OrderSummaryOut(Schema):
    number: str
    status: str
    status_label: str = Field(..., description="The status, with a partial refund beside it.")
    refund_status: str = Field(..., description="none, partial or full.")
    placed_at: datetime
    total: MoneyOut


class OrderPageOut(Schema):
    count: int
    page: int
    results: list[OrderSummaryOut]


class WebhookOut(Schema):
    result: str
