"""Tax writes. Staff edit rates in the admin; this module holds the demo rate table."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from tridex.markets.models import Market
from tridex.tax.models import TaxRate

# (country, region, name, rate %) for the International market, prices before tax. Standard
# rates as published by each tax authority in 2025; US rows are state-level base rates only
# (local sales taxes come on top and need a live-rate provider).
DEMO_RATES: tuple[tuple[str, str, str, str], ...] = (
    ("GB", "", "VAT", "20"),
    ("IE", "", "VAT", "23"),
    ("DE", "", "VAT", "19"),
    ("FR", "", "VAT", "20"),
    ("NL", "", "VAT", "21"),
    ("IT", "", "VAT", "22"),
    ("ES", "", "VAT", "21"),
    ("SE", "", "VAT", "25"),
    ("CH", "", "VAT", "8.1"),
    ("NO", "", "VAT", "25"),
    ("AU", "", "GST", "10"),
    ("NZ", "", "GST", "15"),
    ("SG", "", "GST", "9"),
    ("JP", "", "Consumption tax", "10"),
    ("KR", "", "VAT", "10"),
    ("CA", "", "GST", "5"),
    ("CA", "ON", "HST", "13"),
    ("US", "CA", "Sales tax", "7.25"),
    ("US", "NY", "Sales tax", "4"),
    ("US", "TX", "Sales tax", "6.25"),
    ("US", "WA", "Sales tax", "6.5"),
    ("US", "FL", "Sales tax", "6"),
)


def tax_seed_demo(*, markets: dict[str, Market]) -> int:
    """Give the demo's International market its destination rates; return how many were added.

    Idempotent: an existing row is left as staff may have edited it. Without an ``intl`` market
    there is nothing to do (Thailand uses its market-wide VAT).
    """
    market = markets.get("intl")
    if market is None:
        return 0
    created = 0
    with transaction.atomic():
        for country, region, name, rate in DEMO_RATES:
            _, was_created = TaxRate.objects.get_or_create(
                market=market,
                country=country,
                region=region,
                defaults={"name": name, "rate": Decimal(rate)},
            )
            created += was_created
    return created
