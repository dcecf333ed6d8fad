"""Back office for shipping methods. Saves go through ``shipping_method_create``/``_update``, so
the admin, the API and the demo validate a method the same way."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from tridex.core.admin import DomainErrorAdminMixin
from tridex.shipping.carriers import carrier_codes
from tridex.shipping.models import ShippingMethod
from tridex.shipping.services import (
    EDITABLE_FIELDS,
    shipping_method_create,
    shipping_method_update,
)


class ShippingMethodForm(forms.ModelForm):
    """Offer the registered carrier codes as choices instead of free text."""

    carrier = forms.ChoiceField(label=_("carrier rates"), required=False)

    class Meta:
        model = ShippingMethod
        fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [("", _("Table price (no carrier)"))]
        choices += [(code, code) for code in carrier_codes()]
        current = self.instance.carrier
        if current and current not in carrier_codes():
            choices.append((current, _("%(code)s (not registered)") % {"code": current}))
        self.fields["carrier"].choices = choices  # type: ignore[attr-defined]
        self.fields["carrier"].help_text = ShippingMethod._meta.get_field("carrier").help_text


@admin.register(ShippingMethod)
class ShippingMethodAdmin(DomainErrorAdminMixin, TabbedTranslationAdmin):
    form = ShippingMethodForm
    list_display = (
        "code",
        "name",
        "market",
        "base_price",
        "price_per_kg",
        "free_above",
        "min_days",
        "max_days",
        "carrier",
        "is_active",
        "position",
    )
    list_display_links = ("code", "name")
    list_editable = ("is_active", "position")
    list_filter = ("market", "is_active", "carrier")
    list_select_related = ("market",)
    search_fields = ("code", "name_th", "name_en")
    ordering = ("market", "position", "id")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """A method stays in its market: orders and reports refer to it there."""
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "market") if obj is not None else fields

    def save_model(
        self, request: HttpRequest, obj: ShippingMethod, form: Any, change: bool
    ) -> None:
        fields = {
            name: value for name, value in form.cleaned_data.items() if name in EDITABLE_FIELDS
        }
        if change:
            saved = shipping_method_update(method=obj, **fields)
        else:
            code = fields.pop("code")
            saved = shipping_method_create(market=form.cleaned_data["market"], code=code, **fields)
        obj.pk = saved.pk
