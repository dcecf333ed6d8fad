"""Request and response schemas of the staff API (``/api/v1/staff/``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from tridex.api.schemas import MAX_PAGE_SIZE, MoneyOut

STAFF_PAGE_SIZE = 50


class PageParams(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(STAFF_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


# --- Orders -----------------------------------------------------------------------------------


class StaffOrderFilters(PageParams):
    status: str | None = Field(None, description="pending_payment, paid, processing, …")
    refund_status: Literal["none", "partial", "full"] | None = None
    payment_method: str | None = Field(None, max_length=32)
    market: str | None = Field(None, max_length=16, description="A market code.")
    q: str | None = Field(None, max_length=200, description="Order number or email.")
    placed_from: datetime | None = None
    placed_until: datetime | None = None


class StaffOrderSummaryOut(Schema):
    number: str
    status: str
    status_label: str
    refund_status: str
    placed_at: datetime
    email: str
    market: str
    payment_method: str
    total: MoneyOut
    paid: MoneyOut
    refunded: MoneyOut


class StaffOrderPageOut(Schema):
    count: int
    page: int
    results: list[StaffOrderSummaryOut]


class StaffOrderLineOut(Schema):
    id: int
    sku: str
    product_name: str
    variant_name: str
    quantity: int
    unit_price: MoneyOut
    total: MoneyOut
    quantity_shipped: int
    quantity_cancelled: int
    quantity_returned: int
    quantity_to_ship: int
    quantity_returnable: int


class StaffRefundOut(Schema):
    amount: MoneyOut
    status: str
    reason: str
    created_at: datetime


class StaffPaymentOut(Schema):
    reference: str
    method: str
    status: str
    amount: MoneyOut
    captured: MoneyOut
    refunded: MoneyOut
    refunds: list[StaffRefundOut]


class StaffShipmentOut(Schema):
    carrier: str
    tracking_number: str
    tracking_url: str
    shipped_at: datetime
    lines: dict[str, int] = Field(..., description="Units carried, by SKU.")


class StaffTimelineOut(Schema):
    at: datetime
    code: str
    text: str
    actor: str


class StaffOrderOut(StaffOrderSummaryOut):
    phone: str
    user_id: int | None
    shipping_address: dict[str, Any]
    billing_address: dict[str, Any]
    shipping_method: str
    subtotal: MoneyOut
    shipping: MoneyOut
    tax: MoneyOut
    refundable: MoneyOut
    lines: list[StaffOrderLineOut]
    payments: list[StaffPaymentOut]
    shipments: list[StaffShipmentOut]
    timeline: list[StaffTimelineOut]
    actions: list[str] = Field(..., description="What staff may do to the order now.")


class ShipIn(Schema):
    carrier: str = Field(..., max_length=100)
    tracking_number: str = Field("", max_length=100)
    tracking_url: str = Field("", max_length=500)
    lines: dict[int, int] | None = Field(
        None, description="Units to ship by order line id; everything not yet shipped if null."
    )


class CancelIn(Schema):
    reason: str = Field(..., min_length=1, max_length=255)


class RefundIn(Schema):
    amount: Decimal = Field(..., max_digits=14, decimal_places=4, gt=0)
    reason: str = Field("", max_length=255)
    cancelled: dict[int, int] = Field(
        default_factory=dict, description="Unshipped units taken off, by order line id."
    )
    returned: dict[int, int] = Field(
        default_factory=dict, description="Shipped units sent back, by order line id."
    )
    restock_returned: bool = True
    request_key: str = Field(
        "", max_length=64, description="The same key twice refunds once (a retried request)."
    )


# --- Catalog and prices -----------------------------------------------------------------------


class StaffProductFilters(PageParams):
    q: str | None = Field(None, max_length=200, description="Name or SKU.")
    is_published: bool | None = None


class StaffProductSummaryOut(Schema):
    id: int
    name: str
    slug: str
    is_published: bool
    variant_count: int


class StaffProductPageOut(Schema):
    count: int
    page: int
    results: list[StaffProductSummaryOut]


class StaffPriceOut(Schema):
    market: str
    amount: MoneyOut
    compare_at: MoneyOut | None


class StaffStockOut(Schema):
    id: int
    variant_id: int
    sku: str
    product_name: str
    warehouse: str
    quantity: int
    reserved: int
    available: int


class StaffVariantOut(Schema):
    id: int
    sku: str
    barcode: str
    is_active: bool
    position: int
    weight_grams: int
    prices: list[StaffPriceOut]
    stock: list[StaffStockOut]


class StaffProductOut(StaffProductSummaryOut):
    description: str
    variants: list[StaffVariantOut]


class VariantPatchIn(Schema):
    sku: str | None = Field(None, max_length=64)
    barcode: str | None = Field(None, max_length=64)
    is_active: bool | None = None
    position: int | None = Field(None, ge=0, le=32767)
    weight_grams: int | None = Field(None, ge=0)


class PriceIn(Schema):
    amount: Decimal = Field(..., max_digits=14, decimal_places=4)
    compare_at: Decimal | None = Field(None, max_digits=14, decimal_places=4)


# --- Stock ------------------------------------------------------------------------------------


class StaffWarehouseOut(Schema):
    code: str
    name: str
    country: str
    is_active: bool


class StaffStockFilters(PageParams):
    warehouse: str | None = Field(None, max_length=32, description="A warehouse code.")
    q: str | None = Field(None, max_length=200, description="SKU or product name.")
    availability: Literal["out", "low", "in"] | None = None


class StaffStockPageOut(Schema):
    count: int
    page: int
    results: list[StaffStockOut]


class StockAdjustIn(Schema):
    variant_id: int
    warehouse: str = Field(..., max_length=32, description="A warehouse code.")
    delta: int | None = Field(None, description="Units added (negative: removed).")
    quantity: int | None = Field(None, ge=0, description="Units counted on hand.")
    reason: Literal["received", "adjusted", "counted", "damaged", "returned"] = "adjusted"
    note: str = Field("", max_length=255)


# --- Audit log and staff members --------------------------------------------------------------


class StaffAuditFilters(PageParams):
    actor: str | None = Field(None, max_length=255, description="Part of the actor's email.")
    action: str | None = Field(None, max_length=32)
    object_type: str | None = Field(None, max_length=100, description="Such as orders.order.")
    object_id: str | None = Field(None, max_length=64)
    since: datetime | None = None
    until: datetime | None = None


class StaffAuditEntryOut(Schema):
    id: int
    at: datetime
    actor_id: int | None
    actor: str
    ip: str | None
    user_agent: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]
    data: dict[str, Any]


class StaffAuditPageOut(Schema):
    count: int
    page: int
    results: list[StaffAuditEntryOut]


class RolesIn(Schema):
    roles: list[str] = Field(..., max_length=20, description="Role codes, such as order_manager.")


class RolesOut(Schema):
    user_id: int
    roles: list[str]


class WarehousesIn(Schema):
    warehouses: list[str] = Field(
        ..., max_length=100, description="Warehouse codes; none: every warehouse."
    )


class WarehousesOut(Schema):
    user_id: int
    warehouses: list[str]
