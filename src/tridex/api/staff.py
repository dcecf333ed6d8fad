"""The staff API (``/api/v1/staff/``): orders, products and prices, stock, the audit log and
staff members' roles and warehouses, for the back office's apps and scripts.

Each operation names the model permission it needs (``auth=require_perm(...)``, see
``staff_access``): the same permission the Django admin checks for the same change, so roles
work the same in both. The handlers are thin: they find the object, call the same service the
admin's page calls, and record the change in the audit log with the stored values before and
after (``audit.services.snapshot``/``diff``), as the admin does. Staff scoped to some warehouses
see and change only those warehouses' stock (``inventory.selectors.warehouses_for``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models
from django.db.models import Count, Q, QuerySet, prefetch_related_objects
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Query, Router

from tridex.accounts.models import User
from tridex.accounts.services import staff_roles_set
from tridex.api.context import money_out
from tridex.api.schemas import ErrorOut, ValidationErrorOut
from tridex.api.staff_access import require_perm
from tridex.api.staff_schemas import (
    CancelIn,
    PageParams,
    PriceIn,
    RefundIn,
    RolesIn,
    RolesOut,
    ShipIn,
    StaffAuditEntryOut,
    StaffAuditFilters,
    StaffAuditPageOut,
    StaffOrderFilters,
    StaffOrderLineOut,
    StaffOrderOut,
    StaffOrderPageOut,
    StaffOrderSummaryOut,
    StaffPaymentOut,
    StaffPriceOut,
    StaffProductFilters,
    StaffProductOut,
    StaffProductPageOut,
    StaffProductSummaryOut,
    StaffRefundOut,
    StaffShipmentOut,
    StaffStockFilters,
    StaffStockOut,
    StaffStockPageOut,
    StaffTimelineOut,
    StaffVariantOut,
    StaffWarehouseOut,
    StockAdjustIn,
    VariantPatchIn,
    WarehousesIn,
    WarehousesOut,
)
from tridex.audit.context import actor_of
from tridex.audit.models import AuditEntry
from tridex.audit.services import audit_record, diff, snapshot
from tridex.catalog.models import Product, Variant
from tridex.catalog.services import variant_update
from tridex.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tridex.core.money import Money
from tridex.inventory.models import Stock, Warehouse, WarehouseAssignment
from tridex.inventory.selectors import (
    fulfilment_in_scope,
    in_scope,
    stock_by_availability,
    stock_in_scope,
    warehouses_for,
)
from tridex.inventory.services import stock_adjust, stock_set, warehouse_scope_set
from tridex.markets.models import Market
from tridex.orders.models import Order, OrderStatus
from tridex.orders.services import CANCELLABLE, SHIPPABLE, UnitsBack, order_ship
from tridex.payments.selectors import payment_awaiting_confirmation
from tridex.payments.services import order_cancel_with_payments, payment_confirm, payment_refund
from tridex.payments.timeline import event_sentence
from tridex.pricing.models import Price
from tridex.pricing.services import price_set

router = Router(tags=["staff"])

ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ValidationErrorOut,
}
VIEW_ORDER = require_perm("orders", "view", "order")
CHANGE_ORDER = require_perm("orders", "change", "order")


def _language() -> str:
    return translation.get_language() or "en"


def _money(currency: str, amount: Any) -> Any:
    return money_out(Money(amount, currency), _language())


def _actor(request: HttpRequest) -> str:
    """The caller as order timelines name them: the audit log's label for the same person."""
    return actor_of(request).label


def _page[M: models.Model](queryset: QuerySet[M], params: PageParams) -> tuple[int, list[M]]:
    start = (params.page - 1) * params.page_size
    return queryset.count(), list(queryset[start : start + params.page_size])


def _audited[T](
    request: HttpRequest,
    obj: models.Model,
    perform: Callable[[], T],
    *,
    data: dict[str, Any],
    action: str = AuditEntry.Action.ACTION,
) -> T:
    """Run a write and record it with what it changed on ``obj``'s stored row."""
    model = type(obj)
    before = snapshot(model, [obj.pk]).get(str(obj.pk), {})
    result = perform()
    after = snapshot(model, [obj.pk]).get(str(obj.pk), {})
    audit_record(
        action=action,
        obj=obj,
        changes=diff(before, after),
        data={"via": "staff_api", **data},
        actor=actor_of(request),
    )
    return result


# --- Orders -----------------------------------------------------------------------------------


def _order_summary(order: Order) -> dict[str, Any]:
    return {
        "number": order.number,
        "status": order.status,
        "status_label": order.status_text,
        "refund_status": order.refund_status,
        "placed_at": order.placed_at,
        "email": order.email,
        "market": order.market.code,
        "payment_method": order.payment_method,
        "total": _money(order.currency, order.total),
        "paid": _money(order.currency, order.paid_amount),
        "refunded": _money(order.currency, order.refunded_amount),
    }


@router.get(
    "/staff/orders",
    response={200: StaffOrderPageOut, **ERRORS},
    auth=VIEW_ORDER,
    operation_id="staff_orders_list",
    summary="List orders, newest first, with filters",
)
def staff_orders_list(request: HttpRequest, filters: Query[StaffOrderFilters]) -> StaffOrderPageOut:
    orders = Order.objects.select_related("market").order_by("-placed_at", "-pk")
    if filters.status:
        if filters.status not in OrderStatus.values:
            raise ValidationFailed(_("Unknown status."), code="invalid_status", field="status")
        orders = orders.filter(status=filters.status)
    if filters.refund_status:
        orders = orders.filter(refund_status=filters.refund_status)
    if filters.payment_method:
        orders = orders.filter(payment_method=filters.payment_method)
    if filters.market:
        orders = orders.filter(market__code=filters.market)
    if filters.q:
        orders = orders.filter(Q(number=filters.q.strip()) | Q(email__icontains=filters.q.strip()))
    if filters.placed_from:
        orders = orders.filter(placed_at__gte=filters.placed_from)
    if filters.placed_until:
        orders = orders.filter(placed_at__lt=filters.placed_until)
    count, page = _page(orders, filters)
    return StaffOrderPageOut(
        count=count,
        page=filters.page,
        results=[StaffOrderSummaryOut(**_order_summary(order)) for order in page],
    )


def _order(number: str) -> Order:
    order = Order.objects.select_related("market").filter(number=number).first()
    if order is None:
        raise NotFound(_("There is no such order."), code="order_not_found")
    prefetch_related_objects([order], "lines", "payments__refunds", "shipments__lines", "events")
    return order


def _order_actions(order: Order) -> list[str]:
    checks = {
        "confirm_payment": payment_awaiting_confirmation(order=order) is not None,
        "ship": order.status in SHIPPABLE,
        "refund": order.refundable.amount > 0,
        "cancel": order.status in CANCELLABLE,
    }
    return [name for name, applies in checks.items() if applies]


def _order_out(order: Order) -> StaffOrderOut:
    cur = order.currency
    skus = {line.pk: line.sku for line in order.lines.all()}
    return StaffOrderOut(
        **_order_summary(order),
        phone=order.phone,
        user_id=order.user_id,
        shipping_address=order.shipping_address,
        billing_address=order.billing_address,
        shipping_method=order.shipping_method_name,
        subtotal=_money(cur, order.subtotal),
        shipping=_money(cur, order.shipping_price),
        tax=_money(cur, order.tax_total),
        refundable=_money(cur, order.refundable.amount),
        lines=[
            StaffOrderLineOut(
                id=line.pk,
                sku=line.sku,
                product_name=line.product_name,
                variant_name=line.variant_name,
                quantity=line.quantity,
                unit_price=_money(cur, line.unit_price),
                total=_money(cur, line.total),
                quantity_shipped=line.quantity_shipped,
                quantity_cancelled=line.quantity_cancelled,
                quantity_returned=line.quantity_returned,
                quantity_to_ship=line.quantity_to_ship,
                quantity_returnable=line.quantity_returnable,
            )
            for line in order.lines.all()
        ],
        payments=[
            StaffPaymentOut(
                reference=p.reference,
                method=p.method,
                status=p.status,
                amount=_money(cur, p.amount),
                captured=_money(cur, p.captured_amount),
                refunded=_money(cur, p.refunded_amount),
                refunds=[
                    StaffRefundOut(
                        amount=_money(cur, r.amount),
                        status=r.status,
                        reason=r.reason,
                        created_at=r.created_at,
                    )
                    for r in p.refunds.all()
                ],
            )
            for p in order.payments.all()
        ],
        shipments=[
            StaffShipmentOut(
                carrier=s.carrier,
                tracking_number=s.tracking_number,
                tracking_url=s.tracking_url,
                shipped_at=s.shipped_at,
                lines={skus.get(item.order_line_id, ""): item.quantity for item in s.lines.all()},
            )
            for s in order.shipments.all()
        ],
        timeline=[
            StaffTimelineOut(at=e.created_at, code=e.code, text=event_sentence(e), actor=e.actor)
            for e in order.events.all()
        ],
        actions=_order_actions(order),
    )


@router.get(
    "/staff/orders/{number}",
    response={200: StaffOrderOut, **ERRORS},
    auth=VIEW_ORDER,
    operation_id="staff_order_get",
    summary="An order with its lines, payments, shipments, timeline and available actions",
)
def staff_order_get(request: HttpRequest, number: str) -> StaffOrderOut:
    return _order_out(_order(number))


def _order_action(
    request: HttpRequest,
    number: str,
    name: str,
    perform: Callable[[Order], object],
    fields: dict[str, Any],
) -> StaffOrderOut:
    order = _order(number)
    action = AuditEntry.Action.REFUND if name == "refund" else AuditEntry.Action.ACTION
    _audited(request, order, lambda: perform(order), data={"action": name, **fields}, action=action)
    return _order_out(_order(number))


@router.post(
    "/staff/orders/{number}/confirm-payment",
    response={200: StaffOrderOut, **ERRORS},
    auth=CHANGE_ORDER,
    operation_id="staff_order_confirm_payment",
    summary="Record that the waiting payment arrived (or capture an authorized card payment)",
)
def staff_order_confirm_payment(request: HttpRequest, number: str) -> StaffOrderOut:
    def confirm(order: Order) -> object:
        payment = payment_awaiting_confirmation(order=order)
        if payment is None:
            raise Conflict(_("No payment is waiting to be confirmed."), code="no_payment")
        return payment_confirm(payment=payment, actor=_actor(request))

    return _order_action(request, number, "confirm_payment", confirm, {})


@router.post(
    "/staff/orders/{number}/ship",
    response={200: StaffOrderOut, **ERRORS},
    auth=CHANGE_ORDER,
    operation_id="staff_order_ship",
    summary="Record a parcel: all units not yet shipped, or the given units per line",
)
def staff_order_ship(request: HttpRequest, number: str, body: ShipIn) -> StaffOrderOut:
    def ship(order: Order) -> object:
        if not fulfilment_in_scope(request.user, order.reservation_reference):
            raise Forbidden(
                _("This order's stock is in a warehouse you do not work in."), code="out_of_scope"
            )
        return order_ship(
            order=order,
            carrier=body.carrier,
            tracking_number=body.tracking_number,
            tracking_url=body.tracking_url,
            lines=body.lines,
            actor=_actor(request),
        )

    return _order_action(request, number, "ship", ship, body.dict())


@router.post(
    "/staff/orders/{number}/cancel",
    response={200: StaffOrderOut, **ERRORS},
    auth=CHANGE_ORDER,
    operation_id="staff_order_cancel",
    summary="Cancel an order: void or refund its payments and put unshipped units back",
)
def staff_order_cancel(request: HttpRequest, number: str, body: CancelIn) -> StaffOrderOut:
    def cancel(order: Order) -> object:
        return order_cancel_with_payments(order=order, actor=_actor(request), reason=body.reason)

    return _order_action(request, number, "cancel", cancel, body.dict())


@router.post(
    "/staff/orders/{number}/refund",
    response={200: StaffOrderOut, **ERRORS},
    auth=CHANGE_ORDER,
    operation_id="staff_order_refund",
    summary="Refund an amount to the payment it came from, with the units that go back",
)
def staff_order_refund(request: HttpRequest, number: str, body: RefundIn) -> StaffOrderOut:
    def refund(order: Order) -> object:
        units = UnitsBack(
            cancelled={pk: n for pk, n in body.cancelled.items() if n},
            returned={pk: n for pk, n in body.returned.items() if n},
            restock_returned=body.restock_returned,
        )
        return payment_refund(
            order=order,
            amount=order.money(body.amount),
            units=units,
            actor=_actor(request),
            reason=body.reason,
            request_key=body.request_key,
        )

    return _order_action(request, number, "refund", refund, body.dict(exclude={"request_key"}))


# --- Products, variants and prices ----------------------------------------------------------


@router.get(
    "/staff/products",
    response={200: StaffProductPageOut, **ERRORS},
    auth=require_perm("catalog", "view", "product"),
    operation_id="staff_products_list",
    summary="List products, published or not, by name or SKU",
)
def staff_products_list(
    request: HttpRequest, filters: Query[StaffProductFilters]
) -> StaffProductPageOut:
    products = Product.objects.annotate(variant_count=Count("variants")).order_by("-pk")
    if filters.q:
        q = filters.q.strip()
        matching = Variant.objects.filter(sku__icontains=q).values("product_id")
        products = products.filter(
            Q(name_en__icontains=q) | Q(name_th__icontains=q) | Q(pk__in=matching)
        )
    if filters.is_published is not None:
        products = products.filter(is_published=filters.is_published)
    count, page = _page(products, filters)
    return StaffProductPageOut(
        count=count, page=filters.page, results=[_product_summary(p) for p in page]
    )


def _product_summary(product: Product) -> StaffProductSummaryOut:
    return StaffProductSummaryOut(
        id=product.pk,
        name=product.name,
        slug=product.slug,
        is_published=product.is_published,
        variant_count=getattr(product, "variant_count", 0),
    )


def _stock_out(stock: Stock) -> StaffStockOut:
    return StaffStockOut(
        id=stock.pk,
        variant_id=stock.variant_id,
        sku=stock.variant.sku,
        product_name=stock.variant.product.name,
        warehouse=stock.warehouse.code,
        quantity=stock.quantity,
        reserved=stock.reserved,
        available=stock.available,
    )


@router.get(
    "/staff/products/{product_id}",
    response={200: StaffProductOut, **ERRORS},
    auth=require_perm("catalog", "view", "product"),
    operation_id="staff_product_get",
    summary="A product with its variants, their prices per market and stock per warehouse",
)
def staff_product_get(request: HttpRequest, product_id: int) -> StaffProductOut:
    product = (
        Product.objects.annotate(variant_count=Count("variants")).filter(pk=product_id).first()
    )
    if product is None:
        raise NotFound(_("There is no such product."), code="product_not_found")
    variants = list(product.variants.order_by("position", "pk"))
    prices = Price.objects.filter(variant__in=variants).select_related("market")
    stocks = stock_in_scope(
        request.user,
        Stock.objects.filter(variant__in=variants).select_related("warehouse"),
    ).order_by("warehouse__code")
    prices_by, stocks_by = _group(prices, "variant_id"), _group(stocks, "variant_id")
    for variant in variants:
        variant.product = product
        for stock in stocks_by.get(variant.pk, []):
            stock.variant = variant
    return StaffProductOut(
        **_product_summary(product).dict(),
        description=product.description,
        variants=[
            _variant_out(v, prices_by.get(v.pk, []), stocks_by.get(v.pk, [])) for v in variants
        ],
    )


def _variant_out(
    variant: Variant, prices: Iterable[Price], stocks: Iterable[Stock]
) -> StaffVariantOut:
    return StaffVariantOut(
        id=variant.pk,
        sku=variant.sku,
        barcode=variant.barcode,
        is_active=variant.is_active,
        position=variant.position,
        weight_grams=variant.weight_grams,
        prices=[_price_out(p) for p in prices],
        stock=[_stock_out(s) for s in stocks],
    )


def _group[M: models.Model](rows: QuerySet[M], key: str) -> dict[int, list[M]]:
    grouped: dict[int, list[M]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


def _price_out(price: Price) -> StaffPriceOut:
    return StaffPriceOut(
        market=price.market.code,
        amount=_money(price.currency, price.amount),
        compare_at=(
            _money(price.currency, price.compare_at_amount)
            if price.compare_at_amount is not None
            else None
        ),
    )


def _variant(variant_id: int) -> Variant:
    variant = Variant.objects.select_related("product").filter(pk=variant_id).first()
    if variant is None:
        raise NotFound(_("There is no such variant."), code="variant_not_found")
    return variant


@router.patch(
    "/staff/variants/{variant_id}",
    response={200: StaffVariantOut, **ERRORS},
    auth=require_perm("catalog", "change", "variant"),
    operation_id="staff_variant_update",
    summary="Change a variant's SKU, barcode, activity, position or weight",
)
def staff_variant_update(
    request: HttpRequest, variant_id: int, body: VariantPatchIn
) -> StaffVariantOut:
    variant = _variant(variant_id)
    changes = body.dict(exclude_unset=True)
    if not changes:
        raise ValidationFailed(_("Send at least one field to change."), code="nothing_to_change")
    variant = _audited(
        request,
        variant,
        lambda: variant_update(variant=variant, **changes),
        data={"action": "variant_update"},
        action=AuditEntry.Action.UPDATE,
    )
    return _variant_out(
        variant,
        variant.prices.select_related("market"),
        stock_in_scope(
            request.user, variant.stocks.select_related("warehouse", "variant__product")
        ),
    )


@router.put(
    "/staff/variants/{variant_id}/prices/{market}",
    response={200: StaffPriceOut, **ERRORS},
    auth=require_perm("pricing", "change", "price"),
    operation_id="staff_variant_price_set",
    summary="Set a variant's price in a market (its compare-at price optional)",
)
def staff_variant_price_set(
    request: HttpRequest, variant_id: int, market: str, body: PriceIn
) -> StaffPriceOut:
    variant = _variant(variant_id)
    found = Market.objects.filter(code=market).first()
    if found is None:
        raise NotFound(_("There is no such market."), code="market_not_found")
    existing = Price.objects.filter(variant=variant, market=found).first()
    before = snapshot(Price, [existing.pk]).get(str(existing.pk), {}) if existing else {}
    price = price_set(variant=variant, market=found, amount=body.amount, compare_at=body.compare_at)
    after = snapshot(Price, [price.pk]).get(str(price.pk), {})
    audit_record(
        action=AuditEntry.Action.UPDATE if existing else AuditEntry.Action.CREATE,
        obj=price,
        changes=diff(before, after),
        data={"via": "staff_api", "action": "price_set"},
        actor=actor_of(request),
    )
    price.market = found
    return _price_out(price)


# --- Warehouses and stock -------------------------------------------------------------------


@router.get(
    "/staff/warehouses",
    response={200: list[StaffWarehouseOut], **ERRORS},
    auth=require_perm("inventory", "view", "warehouse"),
    operation_id="staff_warehouses_list",
    summary="The warehouses you work in (every warehouse unless you are scoped)",
)
def staff_warehouses_list(request: HttpRequest) -> list[StaffWarehouseOut]:
    return [
        StaffWarehouseOut(code=w.code, name=w.name, country=w.country, is_active=w.is_active)
        for w in warehouses_for(request.user).order_by("code")
    ]


@router.get(
    "/staff/stock",
    response={200: StaffStockPageOut, **ERRORS},
    auth=require_perm("inventory", "view", "stock"),
    operation_id="staff_stock_list",
    summary="Stock per variant per warehouse, in the warehouses you work in",
)
def staff_stock_list(request: HttpRequest, filters: Query[StaffStockFilters]) -> StaffStockPageOut:
    stocks = stock_in_scope(
        request.user, Stock.objects.select_related("variant__product", "warehouse")
    ).order_by("warehouse__code", "variant__sku")
    if filters.warehouse:
        stocks = stocks.filter(warehouse__code=filters.warehouse)
    if filters.q:
        q = filters.q.strip()
        stocks = stocks.filter(
            Q(variant__sku__icontains=q)
            | Q(variant__product__name_en__icontains=q)
            | Q(variant__product__name_th__icontains=q)
        )
    if filters.availability:
        stocks = stock_by_availability(stocks, filters.availability)
    count, page = _page(stocks, filters)
    return StaffStockPageOut(count=count, page=filters.page, results=[_stock_out(s) for s in page])


@router.post(
    "/staff/stock/adjustments",
    response={200: StaffStockOut, **ERRORS},
    auth=require_perm("inventory", "change", "stock"),
    operation_id="staff_stock_adjust",
    summary="Add or remove units (delta), or record a count (quantity), in one warehouse",
)
def staff_stock_adjust(request: HttpRequest, body: StockAdjustIn) -> StaffStockOut:
    if (body.delta is None) == (body.quantity is None):
        raise ValidationFailed(
            _("Send either a change (delta) or a counted quantity, not both."),
            code="delta_or_quantity",
            field="delta",
        )
    warehouse = Warehouse.objects.filter(code=body.warehouse).first()
    if warehouse is None or not in_scope(request.user, warehouse.pk):
        raise NotFound(_("There is no such warehouse."), code="warehouse_not_found")
    variant = _variant(body.variant_id)
    stock = Stock.objects.filter(variant=variant, warehouse=warehouse).first()
    before = snapshot(Stock, [stock.pk]).get(str(stock.pk), {}) if stock else {}
    actor = _actor(request)
    if body.delta is not None:
        stock = stock_adjust(
            variant=variant,
            warehouse=warehouse,
            delta=body.delta,
            reason=body.reason,
            note=body.note,
            actor=actor,
        )
    else:
        stock = stock_set(
            variant=variant,
            warehouse=warehouse,
            quantity=body.quantity or 0,
            reason=body.reason,
            note=body.note,
            actor=actor,
        )
    after = snapshot(Stock, [stock.pk]).get(str(stock.pk), {})
    audit_record(
        action=AuditEntry.Action.UPDATE if before else AuditEntry.Action.CREATE,
        obj=stock,
        changes=diff(before, after),
        data={"via": "staff_api", "action": "stock_adjust", "reason": body.reason},
        actor=actor_of(request),
    )
    stock.variant, stock.warehouse = variant, warehouse
    return _stock_out(stock)


# --- The audit log ----------------------------------------------------------------------------


@router.get(
    "/staff/audit",
    response={200: StaffAuditPageOut, **ERRORS},
    auth=require_perm("audit", "view", "auditentry"),
    operation_id="staff_audit_list",
    summary="The audit log, newest first, filtered by actor, action, object and time",
)
def staff_audit_list(request: HttpRequest, filters: Query[StaffAuditFilters]) -> StaffAuditPageOut:
    entries = AuditEntry.objects.order_by("-at", "-pk")
    if filters.actor:
        entries = entries.filter(actor_label__icontains=filters.actor)
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.object_type:
        entries = entries.filter(object_type=filters.object_type)
    if filters.object_id:
        entries = entries.filter(object_id=filters.object_id)
    if filters.since:
        entries = entries.filter(at__gte=filters.since)
    if filters.until:
        entries = entries.filter(at__lt=filters.until)
    count, page = _page(entries, filters)
    return StaffAuditPageOut(
        count=count,
        page=filters.page,
        results=[
            StaffAuditEntryOut(
                id=e.pk,
                at=e.at,
                actor_id=e.actor_id,
                actor=e.actor_label,
                ip=e.ip,
                user_agent=e.user_agent,
                action=e.action,
                object_type=e.object_type,
                object_id=e.object_id,
                object_repr=e.object_repr,
                changes=e.changes,
                data=e.data,
            )
            for e in page
        ],
    )


# --- Staff members: roles and warehouses ------------------------------------------------------


def _staff_member(user_id: int) -> User:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("There is no such user."), code="user_not_found")
    return user


@router.put(
    "/staff/users/{user_id}/roles",
    response={200: RolesOut, **ERRORS},
    auth=require_perm("accounts", "change", "user"),
    operation_id="staff_user_roles_set",
    summary="Give a staff member exactly these roles (never yourself, never beyond your own)",
)
def staff_user_roles_set(request: HttpRequest, user_id: int, body: RolesIn) -> RolesOut:
    user = _staff_member(user_id)
    codes = _audited(
        request,
        user,
        lambda: staff_roles_set(granter=request.user, user=user, role_codes=body.roles),  # type: ignore[arg-type]
        data={"action": "roles_set", "roles": body.roles},
        action=AuditEntry.Action.UPDATE,
    )
    return RolesOut(user_id=user.pk, roles=codes)


@router.put(
    "/staff/users/{user_id}/warehouses",
    response={200: WarehousesOut, **ERRORS},
    auth=require_perm("accounts", "change", "user"),
    operation_id="staff_user_warehouses_set",
    summary="Limit a staff member to these warehouses (none: every warehouse)",
)
def staff_user_warehouses_set(
    request: HttpRequest, user_id: int, body: WarehousesIn
) -> WarehousesOut:
    user = _staff_member(user_id)
    codes = sorted(set(body.warehouses))
    found = dict(Warehouse.objects.filter(code__in=codes).values_list("code", "pk"))
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ValidationFailed(
            _("There is no such warehouse."), code="unknown_warehouse", field="warehouses"
        )
    before = _assigned_codes(user)
    warehouse_scope_set(granter=request.user, user=user, warehouse_ids=found.values())
    after = _assigned_codes(user)
    audit_record(
        action=AuditEntry.Action.UPDATE,
        obj=user,
        changes={"warehouses": [before, after]} if before != after else {},
        data={"via": "staff_api", "action": "warehouses_set"},
        actor=actor_of(request),
    )
    return WarehousesOut(user_id=user.pk, warehouses=after)


def _assigned_codes(user: User) -> list[str]:
    return sorted(
        WarehouseAssignment.objects.filter(user=user).values_list("warehouse__code", flat=True)
    )
