"""Back office for warehouses and stock.

Stock quantities change only through ``services.stock_set``, which locks the row and appends a
``StockMovement``; the movement ledger itself is read-only here (no add, change or delete).

Staff scoped to some warehouses (``WarehouseAssignment``) see and count only those warehouses'
stock: every admin here narrows its queryset and its warehouse choices with
``selectors.warehouses_for`` and checks the object's warehouse before a change.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import ForeignKey, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tridex.core.admin import DomainErrorAdminMixin
from tridex.core.errors import DomainError, Forbidden
from tridex.inventory.models import Stock, StockMovement, Warehouse, WarehouseAssignment
from tridex.inventory.selectors import (
    LOW_STOCK_THRESHOLD,
    in_scope,
    movements_in_scope,
    stock_by_availability,
    stock_in_scope,
    warehouses_for,
)
from tridex.inventory.services import stock_set, warehouse_scope_check


def _actor(request: HttpRequest) -> str:
    user = request.user
    return f"admin:{user.get_username()}" if user.is_authenticated else "admin"


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "country", "is_active", "updated_at")
    list_display_links = ("code", "name")
    list_filter = ("is_active", "country", "markets")
    search_fields = ("code", "name", "address")
    filter_horizontal = ("markets",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Warehouse]:
        return super().get_queryset(request) & warehouses_for(request.user)


class WarehouseChoicesMixin:
    """A warehouse field offers only the warehouses the staff member works in."""

    def formfield_for_foreignkey(self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any):  # type: ignore[no-untyped-def]
        if db_field.name == "warehouse":
            kwargs["queryset"] = warehouses_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


class ScopedWarehouseMixin(WarehouseChoicesMixin):
    """Only the warehouses the staff member works in: in lists, in choices, on object pages."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)  # type: ignore[misc]
        return bool(allowed) and (obj is None or _stock_in_scope(request, obj))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_view_permission(request, obj)  # type: ignore[misc]
        return bool(allowed) and (obj is None or _stock_in_scope(request, obj))


def _stock_in_scope(request: HttpRequest, obj: Any) -> bool:
    """Whether the stock line (or the variant whose stock an inline shows) is reachable."""
    if isinstance(obj, Stock):
        return in_scope(request.user, obj.warehouse_id)
    return True


class StockForm(forms.ModelForm):
    """Catch what ``stock_set`` would refuse while the user can still correct it."""

    class Meta:
        model = Stock
        fields = ("variant", "warehouse", "quantity")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        quantity = data.get("quantity")
        if self.instance.pk:
            if quantity is not None and quantity < self.instance.reserved:
                self.add_error(
                    "quantity",
                    _("%(reserved)d units are reserved for checkouts; count at least that many.")
                    % {"reserved": self.instance.reserved},
                )
            for name in ("variant", "warehouse"):
                if name in self.changed_data:
                    self.add_error(name, _("Add a new stock line instead of moving this one."))
        return data


class StockInlineFormSet(BaseInlineFormSet):
    """Inline stock of a variant, counted through ``stock_set`` so each change is recorded."""

    actor = "admin"

    def save_new(self, form: forms.ModelForm, commit: bool = True) -> Stock:
        return self._count(form, variant=self.instance)

    def save_existing(self, form: forms.ModelForm, obj: Stock, commit: bool = True) -> Stock:
        return self._count(form, variant=obj.variant)

    def delete_existing(self, obj: Stock, commit: bool = True) -> None:
        """Stock lines are never deleted: that would drop their movement history."""

    def _count(self, form: forms.ModelForm, *, variant: Any) -> Stock:
        stock = stock_set(
            variant=variant,
            warehouse=form.cleaned_data.get("warehouse") or form.instance.warehouse,
            quantity=form.cleaned_data["quantity"],
            reason=StockMovement.Reason.COUNTED,
            note=str(_("Counted in the admin")),
            actor=self.actor,
        )
        form.instance = stock
        return stock


class StockInline(ScopedWarehouseMixin, admin.TabularInline):
    """Stock of one variant per warehouse. Used by the variant admin in dashboard."""

    model = Stock
    form = StockForm
    formset = StockInlineFormSet
    fields = ("warehouse", "quantity", "reserved", "available")
    readonly_fields = ("reserved", "available")
    can_delete = False
    extra = 0

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.actor = _actor(request)  # type: ignore[attr-defined]
        return formset

    def get_queryset(self, request: HttpRequest) -> QuerySet[Stock]:
        return stock_in_scope(request.user, super().get_queryset(request))

    @admin.display(description=_("available"))
    def available(self, obj: Stock) -> int | str:
        return obj.available if obj.pk else "—"


class LowStockFilter(admin.SimpleListFilter):
    title = _("availability")
    parameter_name = "availability"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("out", _("Out of stock")),
            ("low", _("Low (%(n)d or fewer available)") % {"n": LOW_STOCK_THRESHOLD}),
            ("in", _("In stock")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Stock]) -> QuerySet[Stock]:
        return stock_by_availability(queryset, self.value() or "")


@admin.register(Stock)
class StockAdmin(ScopedWarehouseMixin, DomainErrorAdminMixin, admin.ModelAdmin):
    form = StockForm
    list_display = (
        "variant",
        "product",
        "warehouse",
        "quantity",
        "reserved",
        "available",
        "updated_at",
    )
    list_filter = ("warehouse", LowStockFilter)
    list_select_related = ("variant__product", "warehouse")
    search_fields = (
        "=variant__sku",
        "variant__sku",
        "variant__product__name_en",
        "variant__product__name_th",
    )
    autocomplete_fields = ("variant",)
    readonly_fields = ("reserved", "updated_at")

    @admin.display(description=_("product"), ordering="variant__product")
    def product(self, obj: Stock) -> str:
        return str(obj.variant.product)

    @admin.display(description=_("available"))
    def available(self, obj: Stock) -> int:
        return obj.available

    def get_queryset(self, request: HttpRequest) -> QuerySet[Stock]:
        return stock_in_scope(request.user, super().get_queryset(request))

    def get_readonly_fields(self, request: HttpRequest, obj: Stock | None = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "variant", "warehouse") if obj is not None else fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Count a line down to zero instead: deleting it would drop its movement history."""
        return False

    def save_model(self, request: HttpRequest, obj: Stock, form: Any, change: bool) -> None:
        if not in_scope(request.user, obj.warehouse_id):  # a hand-made POST; choices hide it
            raise Forbidden(str(_("You do not work in that warehouse.")))
        stock = stock_set(
            variant=obj.variant,
            warehouse=obj.warehouse,
            quantity=form.cleaned_data["quantity"],
            reason=StockMovement.Reason.COUNTED,
            note=str(_("Counted in the admin")),
            actor=_actor(request),
        )
        obj.pk, obj.quantity, obj.reserved = stock.pk, stock.quantity, stock.reserved


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin):
    """The append-only ledger: viewable, never added to, edited or deleted by hand."""

    list_display = (
        "created_at",
        "variant",
        "warehouse",
        "delta",
        "quantity_after",
        "reason",
        "actor",
        "note",
    )
    list_filter = ("reason", "stock__warehouse", "created_at")
    list_select_related = ("stock__variant", "stock__warehouse")
    search_fields = ("=stock__variant__sku", "note", "actor")
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[StockMovement]:
        return movements_in_scope(request.user, super().get_queryset(request))

    @admin.display(description=_("variant"), ordering="stock__variant__sku")
    def variant(self, obj: StockMovement) -> str:
        return str(obj.stock.variant)

    @admin.display(description=_("warehouse"), ordering="stock__warehouse")
    def warehouse(self, obj: StockMovement) -> str:
        return str(obj.stock.warehouse)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class WarehouseAssignmentFormSet(BaseInlineFormSet):
    """The warehouses a staff member works in, checked like ``warehouse_scope_set`` checks
    them: nobody changes their own, nobody grants a warehouse they do not work in."""

    granter: Any = None

    def clean(self) -> None:
        super().clean()
        kept = [
            form.cleaned_data["warehouse"].pk
            for form in self.forms
            if form.cleaned_data.get("warehouse") and not form.cleaned_data.get("DELETE")
        ]
        if not self.has_changed():
            return
        try:
            warehouse_scope_check(granter=self.granter, user=self.instance, warehouse_ids=kept)
        except DomainError as error:
            raise ValidationError(error.message, code=error.code) from error


class WarehouseAssignmentInline(WarehouseChoicesMixin, admin.TabularInline):
    """On the user page: the warehouses a staff member is limited to (none: all of them)."""

    model = WarehouseAssignment
    formset = WarehouseAssignmentFormSet
    fields = ("warehouse", "created_at")
    readonly_fields = ("created_at",)
    extra = 0
    verbose_name = _("warehouse this staff member works in")
    verbose_name_plural = _("warehouses (none: every warehouse)")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.granter = request.user  # type: ignore[attr-defined]
        return formset
