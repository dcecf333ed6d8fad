"""Back office for markets. A changed exchange rate goes through the service so that converted
price ranges follow it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from tridex.core.admin import DomainErrorAdminMixin
from tridex.markets.models import Market
from tridex.markets.services import market_set_exchange_rate


class MarketForm(forms.ModelForm):
    class Meta:
        model = Market
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rate = data.get("exchange_rate")
        if data.get("is_default") and rate is not None and rate != Decimal(1):
            self.add_error(
                "exchange_rate",
                _("The base market converts from nothing; its exchange rate must be 1."),
            )
        return data


@admin.register(Market)
class MarketAdmin(DomainErrorAdminMixin, TabbedTranslationAdmin):
    form = MarketForm
    list_display = (
        "code",
        "name",
        "currency",
        "is_default",
        "is_active",
        "prices_include_tax",
        "exchange_rate",
        "price_rounding",
        "position",
    )
    list_display_links = ("code", "name")
    list_filter = ("is_active", "is_default", "prices_include_tax", "currency")
    search_fields = ("code", "name_th", "name_en", "currency")
    ordering = ("position", "code")

    def save_model(self, request: HttpRequest, obj: Market, form: Any, change: bool) -> None:
        """Save the market; a new or changed rate of a non-base market goes through the service,
        which tells pricing to recompute converted price ranges."""
        rate = obj.exchange_rate
        rate_changed = not obj.is_default and (not change or "exchange_rate" in form.changed_data)
        if change and rate_changed:
            obj.exchange_rate = form.initial["exchange_rate"]
        super().save_model(request, obj, form, change)
        if rate_changed:
            market_set_exchange_rate(market=obj, rate=rate)
