"""orders 0002 / payments 0002: orders written when "partially refunded" was a status and one
count of refunded units covered both cancelled and returned units read right afterwards."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tridex.orders.models import Order, OrderLine, OrderStatus, RefundStatus
from tridex.payments.models import Refund

BEFORE = [("orders", "0001_initial"), ("payments", "0001_initial")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    graph = MigrationExecutor(connection).loader.graph
    return [node for node in graph.leaf_nodes() if node[0] in ("orders", "payments")]


@pytest.fixture
def old_apps(transactional_db, market_th):
    apps = migrate(BEFORE)
    yield apps
    migrate(latest())  # whatever the test did, the next one finds the current schema


def make_order(apps, market, number, status, paid, refunded):
    return apps.get_model("orders", "Order").objects.create(
        number=number,
        email="a@example.com",
        market_id=market.pk,
        currency="THB",
        status=status,
        shipping_method_code="standard",
        shipping_method_name="Standard",
        payment_method="promptpay",
        prices_include_tax=True,
        total=Decimal("2580"),
        paid_amount=Decimal(paid),
        refunded_amount=Decimal(refunded),
        placed_at=timezone.now(),
    )


def make_line(apps, order, quantity, shipped, refunded):
    return apps.get_model("orders", "OrderLine").objects.create(
        order=order,
        product_name="Cover",
        sku="C-1",
        quantity=quantity,
        unit_price=Decimal("1290"),
        total=Decimal("2580"),
        tax_rate=Decimal("7"),
        tax_amount=Decimal("168.79"),
        quantity_shipped=shipped,
        quantity_refunded=refunded,
    )


def status_event(apps, order, code, previous, at):
    event = apps.get_model("orders", "OrderEvent").objects.create(
        order=order, kind="status", code=code, data={"previous": previous}
    )
    type(event).objects.filter(pk=event.pk).update(created_at=at)


def test_partially_refunded_orders_get_their_status_back(old_apps, market_th):
    now = timezone.now()
    shipped = make_order(old_apps, market_th, "1", "partially_refunded", "2580", "200")
    make_line(old_apps, shipped, quantity=2, shipped=2, refunded=1)
    status_event(old_apps, shipped, "paid", "pending_payment", now - timedelta(hours=3))
    status_event(old_apps, shipped, "shipped", "paid", now - timedelta(hours=2))
    status_event(old_apps, shipped, "partially_refunded", "shipped", now - timedelta(hours=1))
    status_event(old_apps, shipped, "partially_refunded", "partially_refunded", now)

    part_shipped = make_order(old_apps, market_th, "2", "partially_refunded", "2580", "1290")
    line = make_line(old_apps, part_shipped, quantity=2, shipped=1, refunded=1)
    status_event(old_apps, part_shipped, "partially_refunded", "paid", now)
    payment = old_apps.get_model("payments", "Payment").objects.create(
        order=part_shipped, method="promptpay", amount=Decimal("2580"), reference="R2"
    )
    pending = old_apps.get_model("payments", "Refund").objects.create(
        payment=payment, amount=Decimal("10"), idempotency_key="k", restock={str(line.pk): 1}
    )

    make_order(old_apps, market_th, "3", "refunded", "2580", "2580")
    cancelled = make_order(old_apps, market_th, "4", "cancelled", "0", "0")
    make_line(old_apps, cancelled, quantity=2, shipped=0, refunded=0)

    migrate(latest())

    by_number = {order.number: order for order in Order.objects.all()}
    assert (by_number["1"].status, by_number["1"].refund_status) == ("shipped", "partial")
    # A parcel went out while it was "partially refunded": it is processing now.
    assert (by_number["2"].status, by_number["2"].refund_status) == ("processing", "partial")
    assert (by_number["3"].status, by_number["3"].refund_status) == ("refunded", "full")
    assert (by_number["4"].status, by_number["4"].refund_status) == ("cancelled", "none")
    assert {o.status for o in by_number.values()} <= set(OrderStatus.values)
    assert set(RefundStatus.values) >= {o.refund_status for o in by_number.values()}

    units = {
        line.order.number: (line.quantity_cancelled, line.quantity_returned)
        for line in OrderLine.objects.select_related("order")
    }
    assert units == {"1": (0, 1), "2": (1, 0), "4": (2, 0)}
    assert Refund.objects.get(pk=pending.pk).units == {
        "cancelled": {},
        "returned": {str(line.pk): 1},
        "restock_returned": True,
    }
