"""Back office for tax rates. A rate has no side effects elsewhere, so the admin saves it
directly; ``TaxRate.clean`` normalises and checks the country code."""

from __future__ import annotations

from django.contrib import admin

from tridex.tax.models import TaxRate


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    list_display = ("country", "region", "name", "rate", "market", "updated_at")
    list_display_links = ("country", "region")
    list_filter = ("market", "name", "country")
    list_select_related = ("market",)
    search_fields = ("=country", "region", "name")
    ordering = ("market", "country", "region")
