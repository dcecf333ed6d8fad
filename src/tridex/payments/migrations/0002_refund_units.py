"""A refund names the units it takes off the order as cancelled (never shipped) or returned
(shipped, sent back), where it used to name one number of "units back in stock" per line.

An old pending refund's units count as cancelled up to what the line still had to ship, the
rest as returned, as orders 0002 splits the units of refunds already done.
"""

from django.db import migrations, models


def forwards(apps, schema_editor):
    Refund = apps.get_model("payments", "Refund")
    OrderLine = apps.get_model("orders", "OrderLine")
    for refund in Refund.objects.exclude(restock={}):
        lines = OrderLine.objects.in_bulk([int(pk) for pk in refund.restock])
        cancelled, returned = {}, {}
        for pk, units in refund.restock.items():
            line = lines.get(int(pk))
            if line is None or not units:
                continue
            to_ship = line.quantity - line.quantity_shipped - line.quantity_cancelled
            if min(units, to_ship):
                cancelled[pk] = min(units, to_ship)
            if units - min(units, to_ship):
                returned[pk] = units - min(units, to_ship)
        refund.units = {"cancelled": cancelled, "returned": returned, "restock_returned": True}
        refund.save(update_fields=["units"])


def backwards(apps, schema_editor):
    Refund = apps.get_model("payments", "Refund")
    for refund in Refund.objects.exclude(units={}):
        restock = {}
        for kind in ("cancelled", "returned"):
            for pk, units in (refund.units.get(kind) or {}).items():
                restock[pk] = restock.get(pk, 0) + units
        refund.restock = restock
        refund.save(update_fields=["restock"])


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0002_refund_status_and_line_units'),
        ('payments', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='refund',
            name='units',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(
            model_name='refund',
            name='restock',
        ),
    ]
