from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="address",
            options={
                "ordering": ["-is_default_shipping", "-is_default_billing", "-created_at"],
                "verbose_name": "address",
                "verbose_name_plural": "addresses",
            },
        ),
        migrations.AlterField(
            model_name="address",
            name="province",
            field=models.CharField(
                blank=True,
                default="",
                help_text="ISO 3166-2 code of a Thai province, such as TH-10 for Bangkok.",
                max_length=100,
                verbose_name="province",
            ),
        ),
        migrations.AddConstraint(
            model_name="address",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_default_shipping", True)),
                fields=("user",),
                name="accounts_address_one_default_shipping",
            ),
        ),
        migrations.AddConstraint(
            model_name="address",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_default_billing", True)),
                fields=("user",),
                name="accounts_address_one_default_billing",
            ),
        ),
    ]
