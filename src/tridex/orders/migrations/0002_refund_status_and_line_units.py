"""Refunds stop being a status: a partial refund becomes the order's refund status beside its
fulfilment status, and a line's refunded units split into cancelled (never shipped) and
returned (shipped, sent back).

Before, one ``quantity_refunded`` counted both kinds. The split counts refunded units as
cancelled first, up to the units that had not shipped, because that is how the old code
treated them (they were no longer to ship); only the rest counts as returned.
"""

import django.db.models.expressions
from django.db import migrations, models

PARTIALLY_REFUNDED = "partially_refunded"


def _previous_status(order, OrderEvent):
    """The status an order had before its first partial refund in a row of them. A paid order
    that shipped a parcel while partially refunded stayed partially refunded; it is processing."""
    shipped = order.lines.filter(quantity_shipped__gt=0).exists()
    moves = OrderEvent.objects.filter(order=order, kind="status").order_by("-created_at", "-id")
    for move in moves:
        previous = (move.data or {}).get("previous")
        if move.code == PARTIALLY_REFUNDED and previous and previous != PARTIALLY_REFUNDED:
            return "processing" if previous == "paid" and shipped else previous
    return "processing" if shipped else "paid"


def forwards(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    OrderLine = apps.get_model("orders", "OrderLine")
    OrderEvent = apps.get_model("orders", "OrderEvent")
    for line in OrderLine.objects.select_related("order").filter(
        models.Q(quantity_refunded__gt=0) | models.Q(order__status="cancelled")
    ):
        unshipped = line.quantity - line.quantity_shipped
        if line.order.status == "cancelled":
            line.quantity_cancelled = unshipped
        else:
            line.quantity_cancelled = min(line.quantity_refunded, unshipped)
        line.quantity_returned = min(
            line.quantity_refunded - min(line.quantity_refunded, unshipped), line.quantity_shipped
        )
        line.save(update_fields=["quantity_cancelled", "quantity_returned"])
    refunded = Order.objects.filter(refunded_amount__gt=0)
    refunded.filter(refunded_amount__gte=models.F("paid_amount")).update(refund_status="full")
    refunded.filter(refunded_amount__lt=models.F("paid_amount")).update(refund_status="partial")
    for order in Order.objects.filter(status=PARTIALLY_REFUNDED):
        order.status = _previous_status(order, OrderEvent)
        order.save(update_fields=["status"])


def backwards(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    OrderLine = apps.get_model("orders", "OrderLine")
    for line in OrderLine.objects.exclude(order__status="cancelled"):
        line.quantity_refunded = line.quantity_cancelled + line.quantity_returned
        line.save(update_fields=["quantity_refunded"])
    Order.objects.filter(
        refund_status="partial", status__in=["paid", "processing", "shipped", "delivered"]
    ).update(status=PARTIALLY_REFUNDED)


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0002_product_featured_index'),
        ('orders', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='order',
            name='refund_status',
            field=models.CharField(choices=[('none', 'Not refunded'), ('partial', 'Partially refunded'), ('full', 'Refunded in full')], default='none', max_length=8, verbose_name='refund'),
        ),
        migrations.AddField(
            model_name='orderline',
            name='quantity_cancelled',
            field=models.PositiveIntegerField(default=0, verbose_name='cancelled'),
        ),
        migrations.AddField(
            model_name='orderline',
            name='quantity_returned',
            field=models.PositiveIntegerField(default=0, verbose_name='returned'),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveConstraint(
            model_name='orderline',
            name='orders_line_refunded_lte_quantity',
        ),
        migrations.AlterField(
            model_name='order',
            name='status',
            field=models.CharField(choices=[('pending_payment', 'Pending payment'), ('paid', 'Paid'), ('processing', 'Processing'), ('shipped', 'Shipped'), ('delivered', 'Delivered'), ('cancelled', 'Cancelled'), ('refunded', 'Refunded')], db_index=True, default='pending_payment', max_length=24, verbose_name='status'),
        ),
        migrations.AddConstraint(
            model_name='orderline',
            constraint=models.CheckConstraint(condition=models.Q(('quantity_cancelled__lte', django.db.models.expressions.CombinedExpression(models.F('quantity'), '-', models.F('quantity_shipped')))), name='orders_line_cancelled_lte_unshipped'),
        ),
        migrations.AddConstraint(
            model_name='orderline',
            constraint=models.CheckConstraint(condition=models.Q(('quantity_returned__lte', models.F('quantity_shipped'))), name='orders_line_returned_lte_shipped'),
        ),
        migrations.RemoveField(
            model_name='orderline',
            name='quantity_refunded',
        ),
    ]
