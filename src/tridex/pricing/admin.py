"""Back office for prices. Every write goes through ``services.price_set``/``price_delete`` so the
per-product price ranges that listings sort by stay current."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tridex.core.admin import DomainErrorAdminMixin
from tridex.pricing.models import Price, ProductPriceRange
from tridex.pricing.services import price_delete, price_set

PRICE_FIELDS = ("amount", "compare_at_amount", "cost_amount")


class PriceForm(forms.ModelForm):
    """Catch what ``price_set`` would refuse while the user can still correct it."""

    class Meta:
        model = Price
        fields = ("variant", "market", *PRICE_FIELDS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        amount, compare_at = data.get("amount"), data.get("compare_at_amount")
        if amount is not None and compare_at is not None and compare_at <= amount:
            self.add_error(
                "compare_at_amount", _("The compare-at price must be higher than the price.")
            )
        if self.instance.pk:
            for name in ("variant", "market"):
                if name in self.changed_data:
                    self.add_error(
                        name, _("Delete this price and add a new one to move it elsewhere.")
                    )
        return data


def _save_price(form: forms.ModelForm) -> Price:
    data = form.cleaned_data
    price = price_set(
        variant=data.get("variant") or form.instance.variant,
        market=data.get("market") or form.instance.market,
        amount=data["amount"],
        compare_at=data.get("compare_at_amount"),
        cost=data.get("cost_amount"),
    )
    form.instance = price
    return price


class PriceInlineFormSet(BaseInlineFormSet):
    """Inline prices of a variant, saved and deleted through the pricing services."""

    def save_new(self, form: forms.ModelForm, commit: bool = True) -> Price:
        setattr(form.instance, self.fk.name, self.instance)
        form.cleaned_data["variant"] = self.instance
        return _save_price(form)

    def save_existing(self, form: forms.ModelForm, obj: Price, commit: bool = True) -> Price:
        return _save_price(form)

    def delete_existing(self, obj: Price, commit: bool = True) -> None:
        if commit:
            price_delete(variant=obj.variant, market=obj.market)


class PriceInline(admin.TabularInline):
    """Prices of one variant, one row per market. Used by the variant admin in dashboard."""

    model = Price
    form = PriceForm
    formset = PriceInlineFormSet
    fields = ("market", *PRICE_FIELDS, "currency")
    readonly_fields = ("currency",)
    extra = 0


@admin.register(Price)
class PriceAdmin(DomainErrorAdminMixin, admin.ModelAdmin):
    form = PriceForm
    list_display = (
        "variant",
        "product",
        "market",
        "amount",
        "compare_at_amount",
        "cost_amount",
        "currency",
        "updated_at",
    )
    list_filter = ("market", "currency")
    list_select_related = ("variant__product", "market")
    search_fields = (
        "=variant__sku",
        "variant__sku",
        "variant__product__name_en",
        "variant__product__name_th",
    )
    autocomplete_fields = ("variant",)
    readonly_fields = ("currency", "created_at", "updated_at")

    @admin.display(description=_("product"), ordering="variant__product")
    def product(self, obj: Price) -> str:
        return str(obj.variant.product)

    def get_readonly_fields(self, request: HttpRequest, obj: Price | None = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "variant", "market") if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: Price, form: Any, change: bool) -> None:
        if change:
            form.cleaned_data.setdefault("variant", obj.variant)
            form.cleaned_data.setdefault("market", obj.market)
        price = _save_price(form)
        obj.pk, obj.currency = price.pk, price.currency

    def delete_model(self, request: HttpRequest, obj: Price) -> None:
        price_delete(variant=obj.variant, market=obj.market)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for price in queryset.select_related("variant", "market"):
            price_delete(variant=price.variant, market=price.market)


@admin.register(ProductPriceRange)
class ProductPriceRangeAdmin(admin.ModelAdmin):
    """Read-only: computed by ``price_ranges_refresh`` from prices and exchange rates."""

    list_display = (
        "product",
        "market",
        "min_amount",
        "max_amount",
        "min_compare_at_amount",
        "currency",
    )
    list_filter = ("market",)
    list_select_related = ("product", "market")
    search_fields = ("product__name_en", "product__name_th", "product__slug_en")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
