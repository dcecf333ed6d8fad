"""Back office for the catalog.

Translated models use modeltranslation's tabbed admin so Thai and English are edited side by
side. Prices and stock belong to higher layers: their inlines and the product's price/stock
summary are added by ``tridex.dashboard.admin``, which re-registers ``Product`` and ``Variant``
with subclasses of the admins below (catalog never imports the layers above it).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.files.storage import default_storage
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline

from tridex.catalog import services
from tridex.catalog.models import (
    Category,
    Option,
    OptionValue,
    Product,
    ProductImage,
    ProductType,
    Review,
    Variant,
)
from tridex.catalog.services import SKU_RE, gtin_check_digit, slugify_text
from tridex.core.admin import DomainErrorAdminMixin

THUMBNAIL_WIDTH = 80
TEXT_FIELDS = ("name", "slug", "description", "seo_title", "seo_description")


def _languages() -> list[str]:
    return [code.split("-")[0] for code, _name in settings.LANGUAGES]


def _text_fields() -> list[str]:
    return [f"{base}_{lang}" for base in TEXT_FIELDS for lang in _languages()]


def copy_fields(target: Any, source: Any) -> None:
    """Make the admin's in-memory object the row a service just wrote (pk, slugs, flags)."""
    for field in type(source)._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.adding = False


def check_slugs(form: forms.ModelForm, model: type[Any]) -> None:
    """Report a slug another row already uses as a form error before the service refuses it."""
    for lang in _languages():
        name = f"slug_{lang}"
        value = form.cleaned_data.get(name)
        if not value:
            continue
        slug = slugify_text(value)
        if not slug:
            form.add_error(name, _("Use letters, digits or hyphens in the slug."))
            continue
        clash = model._default_manager.filter(**{name: slug})
        if form.instance.pk:
            clash = clash.exclude(pk=form.instance.pk)
        if clash.exists():
            form.add_error(name, _("The address %(slug)s is already used.") % {"slug": slug})


def optional_slugs(form_class: type[forms.ModelForm]) -> type[forms.ModelForm]:
    """Slugs left empty are generated from the name by the catalog services."""
    for lang in _languages():
        field = form_class.base_fields.get(f"slug_{lang}")
        if field is not None:
            field.required = False
            field.help_text = _("Leave empty to make one from the name.")
    return form_class


def image_thumbnail(image: ProductImage | None) -> str:
    """An ``<img>`` of the smallest rendition (or the original) for previews in the admin."""
    if image is None or not image.image:
        return "—"
    renditions = image.renditions or {}
    url = None
    widths = sorted((int(width) for width in renditions if str(width).isdigit()), key=int)
    if widths:
        entry = renditions.get(str(widths[0])) or {}
        name = entry.get("jpeg") or entry.get("webp")
        if name:
            url = default_storage.url(name)
    if url is None:
        url = image.image.url
    return format_html(
        '<img src="{}" alt="{}" width="{}" loading="lazy" style="height:auto">',
        url,
        image.alt or "",
        THUMBNAIL_WIDTH,
    )


# --- Categories ----------------------------------------------------------------------------


@admin.register(Category)
class CategoryAdmin(TabbedTranslationAdmin):
    list_display = ("indented_name", "slug", "is_published", "position", "product_count")
    list_filter = ("is_published", "depth")
    search_fields = ("name_th", "name_en", "slug_th", "slug_en")
    autocomplete_fields = ("parent",)
    readonly_fields = ("path", "depth")
    ordering = ("path", "position")
    list_per_page = 200

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        return super().get_queryset(request).annotate(_product_count=Count("products"))

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj: Category) -> str:
        """Show the tree: each level deeper is indented one step under its parent."""
        return format_html(
            '<span style="padding-left:{}em">{}{}</span>',
            obj.depth * 1.5,
            "└ " if obj.depth else "",
            obj.name,
        )

    @admin.display(description=_("products"), ordering="_product_count")
    def product_count(self, obj: Category) -> int:
        return getattr(obj, "_product_count", 0)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        return optional_slugs(super().get_form(request, obj, change=change, **kwargs))

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        """Save through the services: they keep the tree acyclic and the slugs unique."""
        data = form.cleaned_data
        texts = {name: data[name] for name in _text_fields() if name in data}
        plain = {
            name: data[name] for name in ("parent", "position", "is_published") if name in data
        }
        if change:
            changed = {k: v for k, v in {**texts, **plain}.items() if k in form.changed_data}
            category = services.category_update(category=obj, **changed)
        else:
            category = services.category_create(**plain, **texts)
        copy_fields(obj, category)


# --- Options and product types --------------------------------------------------------------


class OptionValueInline(TranslationTabularInline):
    model = OptionValue
    fields = ("code", "name", "swatch", "position")
    extra = 1


@admin.register(Option)
class OptionAdmin(TabbedTranslationAdmin):
    list_display = ("code", "name", "position", "is_filterable", "value_count")
    list_filter = ("is_filterable",)
    search_fields = ("code", "name_th", "name_en")
    inlines = (OptionValueInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Option]:
        return super().get_queryset(request).annotate(_value_count=Count("values"))

    @admin.display(description=_("values"), ordering="_value_count")
    def value_count(self, obj: Option) -> int:
        return getattr(obj, "_value_count", 0)


@admin.register(OptionValue)
class OptionValueAdmin(TabbedTranslationAdmin):
    """Listed on its own too, so variants can pick values with autocomplete."""

    list_display = ("name", "code", "option", "swatch", "position")
    list_filter = ("option",)
    list_select_related = ("option",)
    search_fields = ("code", "name_th", "name_en", "option__code", "option__name_en")
    autocomplete_fields = ("option",)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[OptionValue], search_term: str
    ) -> tuple[QuerySet[OptionValue], bool]:
        # The autocomplete renders ``str(value)``, which reads ``value.option``.
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.select_related("option"), duplicates


@admin.register(ProductType)
class ProductTypeAdmin(TabbedTranslationAdmin):
    list_display = ("name", "is_shippable", "product_count")
    list_filter = ("is_shippable", "options")
    search_fields = ("name_th", "name_en")
    filter_horizontal = ("options",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProductType]:
        return super().get_queryset(request).annotate(_product_count=Count("products"))

    @admin.display(description=_("products"), ordering="_product_count")
    def product_count(self, obj: ProductType) -> int:
        return getattr(obj, "_product_count", 0)


# --- Products, variants, images ---------------------------------------------------------------


VARIANT_FIELDS = (
    "sku",
    "barcode",
    "option_values",
    "weight_grams",
    "length_mm",
    "width_mm",
    "height_mm",
    "position",
    "is_active",
)


class VariantForm(forms.ModelForm):
    """Catch what ``variant_create``/``variant_update`` would refuse as field errors."""

    class Meta:
        model = Variant
        fields = ("product", *VARIANT_FIELDS)

    def clean_sku(self) -> str:
        sku = (self.cleaned_data.get("sku") or "").strip()
        if not SKU_RE.match(sku):
            raise forms.ValidationError(
                _("Enter a SKU of letters, digits, dots, slashes or hyphens.")
            )
        return sku

    def clean_barcode(self) -> str:
        barcode = (self.cleaned_data.get("barcode") or "").replace(" ", "")
        if barcode and (
            not barcode.isdigit()
            or len(barcode) not in (8, 12, 13, 14)
            or gtin_check_digit(barcode[:-1]) != int(barcode[-1])
        ):
            raise forms.ValidationError(
                _("Enter a valid EAN/UPC barcode (8, 12, 13 or 14 digits with its check digit).")
            )
        return barcode


def save_variant(form: forms.ModelForm, *, product: Product | None = None) -> Variant:
    """Create or update the form's variant through the catalog services."""
    data = form.cleaned_data
    if form.instance.pk:
        changes = {name: data[name] for name in VARIANT_FIELDS if name in form.changed_data}
        variant = services.variant_update(variant=form.instance, **changes)
    else:
        values = {name: data[name] for name in VARIANT_FIELDS if name in data}
        variant = services.variant_create(product=product or data["product"], **values)
    copy_fields(form.instance, variant)
    return form.instance


class VariantInlineFormSet(BaseInlineFormSet):
    def save_new(self, form: forms.ModelForm, commit: bool = True) -> Variant:
        return save_variant(form, product=self.instance)

    def save_existing(self, form: forms.ModelForm, obj: Variant, commit: bool = True) -> Variant:
        return save_variant(form)


class VariantInline(admin.TabularInline):
    model = Variant
    form = VariantForm
    formset = VariantInlineFormSet
    fields = (
        "sku",
        "barcode",
        "option_values",
        "weight_grams",
        "length_mm",
        "width_mm",
        "height_mm",
        "position",
        "is_active",
    )
    autocomplete_fields = ("option_values",)
    show_change_link = True
    extra = 0


class ProductImageInlineFormSet(BaseInlineFormSet):
    """New photos go through ``product_image_add`` (validation and responsive renditions)."""

    def save_new(self, form: forms.ModelForm, commit: bool = True) -> ProductImage:
        data = form.cleaned_data
        alts = {f"alt_{lang}": data.get(f"alt_{lang}") or "" for lang in ("th", "en")}
        image = services.product_image_add(
            product=self.instance,
            file=data["image"],
            variant=data.get("variant"),
            position=data.get("position"),
            **alts,
        )
        form.instance = image
        return image

    def delete_existing(self, obj: ProductImage, commit: bool = True) -> None:
        if commit:
            services.product_image_delete(image=obj)


class ProductImageInline(TranslationTabularInline):
    model = ProductImage
    formset = ProductImageInlineFormSet
    fields = ("thumbnail", "image", "alt", "variant", "position")
    readonly_fields = ("thumbnail",)
    autocomplete_fields = ("variant",)
    extra = 0

    @admin.display(description=_("preview"))
    def thumbnail(self, obj: ProductImage) -> str:
        return image_thumbnail(obj if obj.pk else None)


PRODUCT_PLAIN_FIELDS = (
    "category",
    "product_type",
    "is_published",
    "is_featured",
    "available_from",
    "available_until",
)


@admin.register(Product)
class ProductAdmin(DomainErrorAdminMixin, TabbedTranslationAdmin):
    list_display: tuple[str, ...] = (
        "name",
        "category",
        "product_type",
        "variant_count",
        "is_published",
        "is_featured",
        "rating_average",
        "updated_at",
    )
    list_filter = ("is_published", "is_featured", "product_type", "category", "created_at")
    list_select_related = ("category", "product_type")
    search_fields = ("name_th", "name_en", "slug_th", "slug_en", "=variants__sku")
    autocomplete_fields = ("category", "product_type")
    readonly_fields = (
        "rating_average",
        "rating_count",
        "created_at",
        "updated_at",
    )
    date_hierarchy = "created_at"
    inlines = (
        VariantInline,
        ProductImageInline,
    )
    actions = ("publish", "unpublish")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        return super().get_queryset(request).annotate(_variant_count=Count("variants"))

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = optional_slugs(super().get_form(request, obj, change=change, **kwargs))

        class ProductForm(form_class):  # type: ignore[valid-type,misc]
            def clean(self) -> dict[str, Any]:
                data = super().clean()
                check_slugs(self, Product)
                return data

        return ProductForm

    def save_model(self, request: HttpRequest, obj: Product, form: Any, change: bool) -> None:
        """Save through the services: they generate slugs, check dates and announce changes."""
        data = form.cleaned_data
        names = [*_text_fields(), *PRODUCT_PLAIN_FIELDS]
        values = {name: data[name] for name in names if name in data}
        if change:
            changes = {k: v for k, v in values.items() if k in form.changed_data}
            product = services.product_update(product=obj, **changes)
        else:
            product = services.product_create(**values)
        copy_fields(obj, product)

    @admin.display(description=_("variants"), ordering="_variant_count")
    def variant_count(self, obj: Product) -> int:
        return getattr(obj, "_variant_count", 0)

    @admin.action(description=_("Publish the selected products"), permissions=("change",))
    def publish(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        self._set_published(request, queryset, True)

    @admin.action(description=_("Unpublish the selected products"), permissions=("change",))
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        self._set_published(request, queryset, False)

    def _set_published(
        self, request: HttpRequest, queryset: QuerySet[Product], published: bool
    ) -> None:
        count = 0
        for product in queryset:
            services.product_set_published(product=product, is_published=published)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d product updated.", "%(count)d products updated.", count)
            % {"count": count},
        )


@admin.register(Variant)
class VariantAdmin(DomainErrorAdminMixin, admin.ModelAdmin):
    form = VariantForm
    list_display = ("sku", "product", "barcode", "options", "is_active", "updated_at")
    list_filter = ("is_active", "product__category", "option_values__option")
    list_select_related = ("product",)
    search_fields = ("=sku", "sku", "barcode", "product__name_th", "product__name_en")
    autocomplete_fields = ("product", "option_values")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Variant]:
        return super().get_queryset(request).prefetch_related("option_values__option")

    @admin.display(description=_("options"))
    def options(self, obj: Variant) -> str:
        return ", ".join(value.name for value in obj.option_values.all())

    def get_readonly_fields(self, request: HttpRequest, obj: Variant | None = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "product") if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: Variant, form: Any, change: bool) -> None:
        save_variant(form)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # ``save_variant`` already set the option values; the form's own M2M save is skipped.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(ProductImage)
class ProductImageAdmin(TabbedTranslationAdmin):
    list_display = ("thumbnail", "product", "variant", "alt", "position", "width", "height")
    list_select_related = ("product", "variant")
    search_fields = ("alt_th", "alt_en", "product__name_th", "product__name_en", "variant__sku")
    autocomplete_fields = ("product", "variant")
    readonly_fields = ("thumbnail", "width", "height")

    @admin.display(description=_("preview"))
    def thumbnail(self, obj: ProductImage) -> str:
        return image_thumbnail(obj if obj.pk else None)

    def save_model(self, request: HttpRequest, obj: ProductImage, form: Any, change: bool) -> None:
        """A new photo goes through ``product_image_add`` so its renditions are made."""
        if change and "image" not in form.changed_data:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        image = services.product_image_add(
            product=data["product"],
            file=data["image"],
            variant=data.get("variant"),
            position=data.get("position"),
            alt_th=data.get("alt_th") or "",
            alt_en=data.get("alt_en") or "",
        )
        if change:
            services.product_image_delete(image=obj)
        copy_fields(obj, image)

    def delete_model(self, request: HttpRequest, obj: ProductImage) -> None:
        services.product_image_delete(image=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for image in queryset:
            services.product_image_delete(image=image)


# --- Reviews --------------------------------------------------------------------------------


@admin.register(Review)
class ReviewAdmin(DomainErrorAdminMixin, admin.ModelAdmin):
    list_display = (
        "product",
        "author_name",
        "rating",
        "title",
        "language",
        "is_approved",
        "created_at",
    )
    list_filter = ("is_approved", "rating", "language", "created_at")
    list_select_related = ("product",)
    search_fields = ("author_name", "title", "body", "product__name_th", "product__name_en")
    autocomplete_fields = ("product",)
    raw_id_fields = ("user",)
    actions = ("approve", "unapprove")

    @admin.action(description=_("Approve the selected reviews"), permissions=("change",))
    def approve(self, request: HttpRequest, queryset: QuerySet[Review]) -> None:
        self._set_approved(request, queryset, True)

    @admin.action(description=_("Unapprove the selected reviews"), permissions=("change",))
    def unapprove(self, request: HttpRequest, queryset: QuerySet[Review]) -> None:
        self._set_approved(request, queryset, False)

    def _set_approved(
        self, request: HttpRequest, queryset: QuerySet[Review], approved: bool
    ) -> None:
        count = 0
        for review in queryset.select_related("product"):
            services.review_set_approved(review=review, is_approved=approved)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d review updated.", "%(count)d reviews updated.", count)
            % {"count": count},
        )

    def save_model(self, request: HttpRequest, obj: Review, form: Any, change: bool) -> None:
        """New reviews go through ``review_create``; edits re-run ``review_set_approved`` so the
        product's rating follows a changed rating or approval."""
        if change:
            super().save_model(request, obj, form, change)
            services.review_set_approved(review=obj, is_approved=obj.is_approved)
            return
        data = form.cleaned_data
        review = services.review_create(
            product=data["product"],
            rating=data["rating"],
            author_name=data.get("author_name") or "",
            title=data.get("title") or "",
            body=data.get("body") or "",
            language=data.get("language") or None,
            user=data.get("user"),
            is_approved=data.get("is_approved", True),
        )
        copy_fields(obj, review)
