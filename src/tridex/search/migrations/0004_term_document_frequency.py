from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_products_per_term(apps, schema_editor):
    """Fill the new counts from the existing postings, as a rebuild would."""
    SearchTerm = apps.get_model("search", "SearchTerm")
    SearchPosting = apps.get_model("search", "SearchPosting")
    counted = (
        SearchPosting.objects.filter(term_id=OuterRef("pk"))
        .values("term_id")
        .annotate(products=Count("product_id"))
        .values("products")
    )
    SearchTerm.objects.update(products=Coalesce(Subquery(counted), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_posting_impact_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchterm",
            name="products",
            field=models.PositiveIntegerField(default=0, verbose_name="products"),
        ),
        migrations.RunPython(count_products_per_term, migrations.RunPython.noop),
    ]
