

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0002_product_featured_index'),
        ('search', '0002_listingoption'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='searchposting',
            index=models.Index(fields=['term', 'weight', 'product'], name='search_posting_impact'),
        ),
    ]
