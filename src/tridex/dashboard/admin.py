"""The back office's cross-domain admin: products and variants with prices and stock, product
import/export, and the user page with the warehouses a staff member works in.

Catalog's admin cannot show prices or stock (catalog sits below pricing and inventory), so
dashboard — an edge layer allowed to import them all — re-registers ``Product`` and ``Variant``
with subclasses that add the price/stock summary, the price and stock inlines and the import
and export pages. ``tridex.dashboard`` comes after the domains in ``INSTALLED_APPS``, and the
imports below load their admins first, so the re-registration always wins.
"""

from __future__ import annotations

import tempfile
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import DecimalField, F, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from tridex.accounts import admin as accounts_admin
from tridex.accounts.models import User
from tridex.audit.models import AuditEntry
from tridex.audit.services import audit_record
from tridex.catalog import admin as catalog_admin
from tridex.catalog.models import Product, Variant
from tridex.dashboard import importexport
from tridex.dashboard import orders as _orders  # noqa: F401  (registers the order admins)
from tridex.dashboard.services import products_export, products_import
from tridex.inventory.admin import StockInline, WarehouseAssignmentInline
from tridex.inventory.models import Stock
from tridex.markets.selectors import market_list
from tridex.pricing.admin import PriceInline
from tridex.pricing.models import ProductPriceRange
from tridex.pricing.selectors import variant_prices
from tridex.pricing.services import price_ranges_refresh

EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("CSV (UTF-8) or XLSX, at most %(mb)d MB, one row per variant.")
        % {"mb": importexport.MAX_FILE_BYTES // (1024 * 1024)},
    )


def _actor(request: HttpRequest) -> str:
    return f"admin:{request.user.get_username()}"


class ProductAdmin(catalog_admin.ProductAdmin):
    change_list_template = "admin/dashboard/product_change_list.html"
    list_display = (
        "name",
        "category",
        "product_type",
        "variant_count",
        "price_from",
        "available_total",
        "is_published",
        "is_featured",
        "updated_at",
    )
    readonly_fields = (*catalog_admin.ProductAdmin.readonly_fields, "prices_and_stock")  # type: ignore[assignment]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        """Price and stock columns come from two correlated subqueries, not one query a row."""
        price = ProductPriceRange.objects.filter(
            product=OuterRef("pk"), market__is_default=True
        ).values("min_amount")[:1]
        available = (
            Stock.objects.filter(variant__product=OuterRef("pk"))
            .values("variant__product")
            .annotate(total=Sum(F("quantity") - F("reserved")))
            .values("total")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                _price_from=Subquery(price, output_field=DecimalField()),
                _available=Subquery(available, output_field=IntegerField()),
            )
        )

    @admin.display(description=_("price from"), ordering="_price_from")
    def price_from(self, obj: Product) -> Any:
        value = getattr(obj, "_price_from", None)
        return "—" if value is None else f"{value:,.2f}"

    @admin.display(description=_("available"), ordering="_available")
    def available_total(self, obj: Product) -> Any:
        value = getattr(obj, "_available", None)
        return 0 if value is None else value

    @admin.display(description=_("prices and stock"))
    def prices_and_stock(self, obj: Product) -> str:
        """Per variant: the price in every market (converted ones marked) and stock per
        warehouse. Edit them on the variant's page."""
        if obj is None or not obj.pk:
            return "—"
        variants = list(obj.variants.prefetch_related("stocks__warehouse"))
        if not variants:
            return str(_("No variants yet."))
        markets = market_list()
        prices = {
            market.pk: variant_prices(variant_ids=[v.pk for v in variants], market=market)
            for market in markets
        }
        header = format_html_join(
            "", "<th>{}</th>", [(_("SKU"),)] + [(m.code,) for m in markets] + [(_("stock"),)]
        )
        rows = format_html_join(
            "", "<tr>{}</tr>", [(self._summary_row(v, markets, prices),) for v in variants]
        )
        return format_html(
            "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", header, rows
        )

    def _summary_row(self, variant: Variant, markets: list[Any], prices: dict[int, Any]) -> str:
        cells = [format_html("<td>{}</td>", variant.sku)]
        for market in markets:
            price = prices[market.pk].get(variant.pk)
            if price is None:
                cells.append(format_html("<td>{}</td>", "—"))
            else:
                mark = " *" if price.is_converted else ""
                cells.append(
                    format_html("<td>{} {}{}</td>", price.price.amount, price.price.currency, mark)
                )
        stock = ", ".join(f"{s.warehouse.code}: {s.available}" for s in variant.stocks.all()) or "—"
        cells.append(format_html("<td>{}</td>", stock))
        return format_html("".join(["{}"] * len(cells)), *cells)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Variants added, removed or switched off change the product's price range."""
        super().save_related(request, form, formsets, change)
        price_ranges_refresh(product_ids=[form.instance.pk])

    # --- import / export ---------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        custom = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            path(
                "export/<str:fmt>/",
                self.admin_site.admin_view(self.export_view),
                name="{}_{}_export".format(*info),
            ),
        ]
        return custom + super().get_urls()

    def can_import(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {"can_import": self.can_import(request), **(extra_context or {})}
        return super().changelist_view(request, context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.can_import(request):
            raise PermissionDenied
        report = None
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                report = products_import(file=upload, name=upload.name, actor=_actor(request))
                if report.ok:
                    audit_record(
                        action=AuditEntry.Action.ACTION,
                        object_type=Product._meta.label_lower,
                        object_repr=upload.name,
                        data={
                            "action": "import_products",
                            "rows": report.rows,
                            "products_created": report.products_created,
                            "products_updated": report.products_updated,
                            "variants_created": report.variants_created,
                            "variants_updated": report.variants_updated,
                        },
                    )
        else:
            form = ImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import products"),
            "form": form,
            "report": report,
            "columns": importexport.export_header([], [], []),
        }
        status = 400 if report is not None and not report.ok else 200
        return TemplateResponse(
            request, "admin/dashboard/product_import.html", context, status=status
        )

    def export_view(self, request: HttpRequest, fmt: str) -> HttpResponseBase:
        if not self.has_view_permission(request):
            raise PermissionDenied
        if fmt not in EXPORT_FORMATS:
            raise Http404(_("Unknown export format."))
        filename = f"products-{timezone.now():%Y%m%d-%H%M}.{fmt}"
        audit_record(
            action=AuditEntry.Action.EXPORT,
            object_type=Product._meta.label_lower,
            object_repr=filename,
            data={"format": fmt},
        )
        if fmt == "csv":
            response = StreamingHttpResponse(
                importexport.csv_lines(importexport.export_rows()),
                content_type=EXPORT_FORMATS[fmt],
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        products_export(stream=spool, fmt=fmt)
        spool.seek(0)
        return FileResponse(
            spool, as_attachment=True, filename=filename, content_type=EXPORT_FORMATS[fmt]
        )


class VariantAdmin(catalog_admin.VariantAdmin):
    inlines = (PriceInline, StockInline)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """An activated or deactivated variant moves its product's price range."""
        super().save_related(request, form, formsets, change)
        price_ranges_refresh(product_ids=[form.instance.product_id])


class UserAdmin(accounts_admin.UserAdmin):
    """The user page with the warehouses a staff member is scoped to (accounts sits below
    inventory, so the inline is added here)."""

    def get_inlines(self, request, obj):  # type: ignore[no-untyped-def]
        inlines = super().get_inlines(request, obj)
        return (*inlines, WarehouseAssignmentInline) if obj is not None else inlines


def _register() -> None:
    for model, model_admin in (
        (Product, ProductAdmin),
        (Variant, VariantAdmin),
        (User, UserAdmin),
    ):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
        admin.site.register(model, model_admin)


_register()
