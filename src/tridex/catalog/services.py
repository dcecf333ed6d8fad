"""Catalog writes: categories, options, product types, products, variants, images and reviews.

Every function is keyword-only, runs in one transaction, validates its input and raises a
``DomainError`` with a ``code`` and ``field``. A change that affects what a shopper sees of a
product emits ``catalog.product_changed`` (with ``product_ids``) after commit; the search index
and caches subscribe to it.

Translated text is passed per language (``name_th=``, ``name_en=``, ``slug_en=``...). A missing
slug is generated from the name with Unicode kept (Thai slugs are fine) and made unique per
language by suffixing ``-2``, ``-3``...; a slug given explicitly that is already taken is a
conflict, because silently changing a URL someone typed would surprise them.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import Avg, Count, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tridex.catalog import images
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
from tridex.core import events
from tridex.core.errors import Conflict, ValidationFailed
from tridex.core.locking import lock_rows

PRODUCT_CHANGED = "catalog.product_changed"
CATEGORY_CHANGED = "catalog.category_changed"
TEXT_FIELDS = ("name", "slug", "description", "seo_title", "seo_description")
MAX_INT = 2_147_483_647
SKU_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
SWATCH_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")


# --- helpers -----------------------------------------------------------------------------------


def _languages() -> list[str]:
    return [code.split("-")[0] for code, _name in settings.LANGUAGES]


class _ChangedProducts:
    """Products changed in one transaction, announced once when it commits.

    Creating a product with ten variants, prices and images touches it a dozen times; the
    search index and caches should react once, after commit, not a dozen times.
    """

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.delivered = False


class _Announce:
    """One on-commit callback per change; the first to run announces the whole batch.

    Every change registers its own callback, so the batch is still announced when the
    savepoint that registered an earlier callback rolls back (at worst a product is announced
    needlessly, never missed).
    """

    def __init__(self, batch: _ChangedProducts) -> None:
        self.batch = batch

    def __call__(self) -> None:
        if not self.batch.delivered:
            self.batch.delivered = True
            events.emit(PRODUCT_CHANGED, product_ids=sorted(self.batch.ids))


def _emit_products(product_ids: Iterable[int]) -> None:
    """Announce ``catalog.product_changed`` for these products when the transaction commits."""
    ids = {int(i) for i in product_ids}
    if not ids:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        events.emit(PRODUCT_CHANGED, product_ids=sorted(ids))
        return
    batch = (
        next(
            (
                callback.batch
                for _savepoints, callback, _robust in connection.run_on_commit
                if isinstance(callback, _Announce) and not callback.batch.delivered
            ),
            None,
        )
        or _ChangedProducts()
    )
    batch.ids.update(ids)
    transaction.on_commit(_Announce(batch), robust=False)


def slugify_text(value: str, *, max_length: int = 200) -> str:
    """Make a URL slug that keeps Thai (and other) letters with their vowel and tone marks.

    Django's ``slugify`` drops combining marks, which turns "ผ้าคลุมโซฟา" into nonsense; this
    keeps letters, marks and digits, lowercases, and joins words with single hyphens.
    """
    text = unicodedata.normalize("NFC", str(value)).lower()
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category[0] in "LN" or category in ("Mn", "Mc"):
            out.append(char)
        elif char in "'’":
            continue
        elif category[0] in "ZPS" or char.isspace():
            out.append("-")
    slug = re.sub(r"-{2,}", "-", "".join(out)).strip("-")
    return slug[:max_length].strip("-")


def _unique_slug(
    model: type[models.Model], field: str, base: str, *, exclude_pk: int | None, max_length: int
) -> str:
    base = base[: max_length - 8].strip("-") or "item"
    taken_qs = model._default_manager.filter(**{f"{field}__startswith": base})
    if exclude_pk is not None:
        taken_qs = taken_qs.exclude(pk=exclude_pk)
    taken = set(taken_qs.values_list(field, flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _text(value: Any, *, field: str, max_length: int | None) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationFailed(_("This must be text."), code="invalid_text", field=field)
    value = value.strip()
    if max_length is not None and len(value) > max_length:
        raise ValidationFailed(
            _("Use at most %(n)d characters.") % {"n": max_length},
            code="text_too_long",
            field=field,
        )
    return value


def _clean_texts(model: type[models.Model], texts: dict[str, Any]) -> dict[str, str]:
    """Validate translated text keyword arguments such as ``name_th`` or ``seo_title_en``."""
    allowed = {f"{base}_{lang}" for base in TEXT_FIELDS for lang in _languages()}
    unknown = sorted(set(texts) - allowed)
    if unknown:
        raise ValidationFailed(
            _("Unknown field %(field)s.") % {"field": unknown[0]},
            code="unknown_field",
            field=unknown[0],
        )
    cleaned = {}
    for key, value in texts.items():
        max_length = getattr(model._meta.get_field(key), "max_length", None)
        cleaned[key] = _text(value, field=key, max_length=max_length)
    return cleaned


def _apply_slugs(
    instance: Product | Category, texts: dict[str, str], *, creating: bool
) -> dict[str, str]:
    """Decide every language's slug: explicit ones are checked, missing ones generated."""
    model = type(instance)
    max_length = model._meta.get_field("slug").max_length or 200
    result = {}
    for lang in _languages():
        field = f"slug_{lang}"
        if texts.get(field):
            slug = slugify_text(texts[field], max_length=max_length)
            if not slug:
                raise ValidationFailed(
                    _("Use letters, digits or hyphens in the slug."),
                    code="invalid_slug",
                    field=field,
                )
            clash = model._default_manager.filter(**{field: slug})
            if instance.pk:
                clash = clash.exclude(pk=instance.pk)
            if clash.exists():
                raise Conflict(
                    _("The address %(slug)s is already used.") % {"slug": slug},
                    code="slug_taken",
                    field=field,
                )
            result[field] = slug
        elif creating or field in texts or not getattr(instance, field):
            source = _name_for(instance, lang)
            base = slugify_text(source, max_length=max_length) or model._meta.model_name or ""
            result[field] = _unique_slug(
                model, field, base, exclude_pk=instance.pk, max_length=max_length
            )
    return result


def _name_for(instance: Product | Category, lang: str) -> str:
    """The name in ``lang``, else in the first language that has one."""
    for code in [lang, *_languages()]:
        value = getattr(instance, f"name_{code}", "") or ""
        if value:
            return value
    return ""


def _require_name(instance: Product | Category) -> None:
    if not any(getattr(instance, f"name_{lang}", "") for lang in _languages()):
        raise ValidationFailed(
            _("Give a name in at least one language."),
            code="name_required",
            field=f"name_{_languages()[0]}",
        )


def _int(value: Any, *, field: str, minimum: int = 0, maximum: int = MAX_INT) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
        raise ValidationFailed(
            _("Enter a whole number from %(lo)d to %(hi)d.") % {"lo": minimum, "hi": maximum},
            code="invalid_number",
            field=field,
        )
    return value


def _bool(value: Any, *, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationFailed(_("Choose yes or no."), code="invalid_boolean", field=field)
    return value


def _check_instance(value: Any, model: type[models.Model], *, field: str) -> None:
    if not isinstance(value, model) or value.pk is None:
        raise ValidationFailed(
            _("Choose an existing %(what)s.") % {"what": model._meta.verbose_name},
            code="invalid_reference",
            field=field,
        )


def _check_unknown(changes: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationFailed(
            _("Unknown field %(field)s.") % {"field": unknown[0]},
            code="unknown_field",
            field=unknown[0],
        )


# --- categories --------------------------------------------------------------------------------


def category_create(
    *,
    parent: Category | None = None,
    position: int = 0,
    is_published: bool = True,
    **texts: Any,
) -> Category:
    """Create a category; slugs missing in a language are generated from its name."""
    cleaned = _clean_texts(Category, texts)
    if parent is not None:
        _check_instance(parent, Category, field="parent")
    category = Category(
        parent=parent,
        position=_int(position, field="position", maximum=32767),
        is_published=_bool(is_published, field="is_published"),
        **{k: v for k, v in cleaned.items() if not k.startswith("slug_")},
    )
    _require_name(category)
    with transaction.atomic():
        for field, slug in _apply_slugs(category, cleaned, creating=True).items():
            setattr(category, field, slug)
        category.save()
        events.emit(CATEGORY_CHANGED, category_ids=[category.pk])
    return category


def category_update(*, category: Category, **changes: Any) -> Category:
    """Change a category's texts, parent, position or visibility.

    Products in the category's subtree are announced as changed: their breadcrumbs and
    searchable category names follow the category.
    """
    plain = {"parent", "position", "is_published"}
    texts = {k: v for k, v in changes.items() if k not in plain}
    cleaned = _clean_texts(Category, texts)
    with transaction.atomic():
        category = lock_rows(Category.objects.filter(pk=category.pk)).get()
        if "parent" in changes:
            _set_parent(category, changes["parent"])
        if "position" in changes:
            category.position = _int(changes["position"], field="position", maximum=32767)
        if "is_published" in changes:
            category.is_published = _bool(changes["is_published"], field="is_published")
        for key, value in cleaned.items():
            if not key.startswith("slug_"):
                setattr(category, key, value)
        _require_name(category)
        for field, slug in _apply_slugs(category, cleaned, creating=False).items():
            setattr(category, field, slug)
        # Collect the subtree before saving: a new parent rewrites the descendants' paths.
        subtree = Category.objects.filter(path__startswith=category.path)
        ids = [*subtree.values_list("pk", flat=True), category.pk]
        category.save()
        events.emit(CATEGORY_CHANGED, category_ids=sorted(set(ids)))
        _emit_products(Product.objects.filter(category_id__in=ids).values_list("pk", flat=True))
    return category


def _set_parent(category: Category, parent: Any) -> None:
    if parent is None:
        category.parent = None
        return
    _check_instance(parent, Category, field="parent")
    parent.refresh_from_db(fields=["path"])
    if parent.pk == category.pk or parent.path.startswith(category.path):
        raise ValidationFailed(
            _("A category cannot be placed inside itself."), code="category_cycle", field="parent"
        )
    category.parent = parent


# --- options and product types -----------------------------------------------------------------


def _names(names: dict[str, Any], model: type[models.Model]) -> dict[str, str]:
    allowed = {f"name_{lang}" for lang in _languages()}
    _check_unknown(names, allowed)
    max_length = getattr(model._meta.get_field("name"), "max_length", None)
    cleaned = {k: _text(v, field=k, max_length=max_length) for k, v in names.items()}
    if not any(cleaned.values()):
        raise ValidationFailed(
            _("Give a name in at least one language."),
            code="name_required",
            field=f"name_{_languages()[0]}",
        )
    return cleaned


def _code(value: Any, *, field: str = "code") -> str:
    code = _text(value, field=field, max_length=50).lower()
    if not CODE_RE.match(code):
        raise ValidationFailed(
            _("Use lowercase letters, digits, hyphens or underscores."),
            code="invalid_code",
            field=field,
        )
    return code


def option_create(
    *, code: str, position: int = 0, is_filterable: bool = True, **names: Any
) -> Option:
    """Create an option (a dimension variants differ by, such as colour or seats)."""
    cleaned_code = _code(code)
    cleaned = _names(names, Option)
    with transaction.atomic():
        if Option.objects.filter(code=cleaned_code).exists():
            raise Conflict(_("This code is already used."), code="code_taken", field="code")
        return Option.objects.create(
            code=cleaned_code,
            position=_int(position, field="position", maximum=32767),
            is_filterable=_bool(is_filterable, field="is_filterable"),
            **cleaned,
        )


def option_value_create(
    *, option: Option, code: str, swatch: str = "", position: int = 0, **names: Any
) -> OptionValue:
    """Add a value (e.g. "navy" with swatch ``#25344F``) to an option."""
    _check_instance(option, Option, field="option")
    cleaned_code = _code(code)
    cleaned = _names(names, OptionValue)
    swatch = _text(swatch, field="swatch", max_length=7)
    if swatch and not SWATCH_RE.match(swatch):
        raise ValidationFailed(
            _("Give the swatch as #RRGGBB."), code="invalid_swatch", field="swatch"
        )
    with transaction.atomic():
        if OptionValue.objects.filter(option=option, code=cleaned_code).exists():
            raise Conflict(_("This code is already used."), code="code_taken", field="code")
        return OptionValue.objects.create(
            option=option,
            code=cleaned_code,
            swatch=swatch.upper(),
            position=_int(position, field="position", maximum=32767),
            **cleaned,
        )


def product_type_create(
    *, options: Iterable[Option] = (), is_shippable: bool = True, **names: Any
) -> ProductType:
    """Create a product type and the options its variants may use."""
    cleaned = _names(names, ProductType)
    option_list = list(options)
    for option in option_list:
        _check_instance(option, Option, field="options")
    with transaction.atomic():
        product_type = ProductType.objects.create(
            is_shippable=_bool(is_shippable, field="is_shippable"), **cleaned
        )
        product_type.options.set(option_list)
    return product_type


# --- products ----------------------------------------------------------------------------------

PRODUCT_FLAGS = {"is_published", "is_featured"}
PRODUCT_DATES = {"available_from", "available_until"}


def _date(value: Any, *, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise ValidationFailed(
            _("Give a date and time with a time zone."), code="invalid_datetime", field=field
        )
    return value


def _check_dates(product: Product) -> None:
    start, end = product.available_from, product.available_until
    if start is not None and end is not None and end <= start:
        raise ValidationFailed(
            _("The end of availability must be after its start."),
            code="invalid_availability",
            field="available_until",
        )


def product_create(
    *,
    product_type: ProductType,
    category: Category,
    is_published: bool = True,
    is_featured: bool = False,
    available_from: datetime | None = None,
    available_until: datetime | None = None,
    **texts: Any,
) -> Product:
    """Create a product (without variants: add them with ``variant_create``)."""
    _check_instance(product_type, ProductType, field="product_type")
    _check_instance(category, Category, field="category")
    cleaned = _clean_texts(Product, texts)
    product = Product(
        product_type=product_type,
        category=category,
        is_published=_bool(is_published, field="is_published"),
        is_featured=_bool(is_featured, field="is_featured"),
        available_from=_date(available_from, field="available_from"),
        available_until=_date(available_until, field="available_until"),
        **{k: v for k, v in cleaned.items() if not k.startswith("slug_")},
    )
    _require_name(product)
    _check_dates(product)
    with transaction.atomic():
        for field, slug in _apply_slugs(product, cleaned, creating=True).items():
            setattr(product, field, slug)
        product.save()
        _emit_products([product.pk])
    return product


def product_update(*, product: Product, **changes: Any) -> Product:
    """Change a product's texts, category, type, flags or availability dates.

    Slugs stay as they are when the name changes (links keep working); pass ``slug_xx=""`` to
    regenerate one from the current name.
    """
    plain = PRODUCT_FLAGS | PRODUCT_DATES | {"category", "product_type"}
    cleaned = _clean_texts(Product, {k: v for k, v in changes.items() if k not in plain})
    with transaction.atomic():
        product = lock_rows(Product.objects.filter(pk=product.pk)).get()
        if "category" in changes:
            _check_instance(changes["category"], Category, field="category")
            product.category = changes["category"]
        if "product_type" in changes:
            _set_product_type(product, changes["product_type"])
        for flag in PRODUCT_FLAGS & set(changes):
            setattr(product, flag, _bool(changes[flag], field=flag))
        for name in PRODUCT_DATES & set(changes):
            setattr(product, name, _date(changes[name], field=name))
        for key, value in cleaned.items():
            if not key.startswith("slug_"):
                setattr(product, key, value)
        _require_name(product)
        _check_dates(product)
        for field, slug in _apply_slugs(product, cleaned, creating=False).items():
            setattr(product, field, slug)
        product.save()
        _emit_products([product.pk])
    return product


def _set_product_type(product: Product, product_type: Any) -> None:
    _check_instance(product_type, ProductType, field="product_type")
    allowed = set(product_type.options.values_list("pk", flat=True))
    used = set(
        OptionValue.objects.filter(variants__product=product).values_list("option_id", flat=True)
    )
    if used - allowed:
        raise ValidationFailed(
            _("The product's variants use options this product type does not have."),
            code="option_not_allowed",
            field="product_type",
        )
    product.product_type = product_type


def product_set_published(*, product: Product, is_published: bool) -> Product:
    """Publish or unpublish a product."""
    value = _bool(is_published, field="is_published")
    with transaction.atomic():
        Product.objects.filter(pk=product.pk).update(is_published=value, updated_at=timezone.now())
        product.is_published = value
        _emit_products([product.pk])
    return product


# --- variants ----------------------------------------------------------------------------------

VARIANT_NUMBERS = ("weight_grams", "length_mm", "width_mm", "height_mm")


def gtin_check_digit(digits: str) -> int:
    """The GS1 check digit for the digits of a GTIN (EAN-8/UPC-A/EAN-13/GTIN-14) without it."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def _barcode(value: Any) -> str:
    barcode = _text(value, field="barcode", max_length=64).replace(" ", "")
    if not barcode:
        return ""
    if (
        not barcode.isdigit()
        or len(barcode) not in (8, 12, 13, 14)
        or gtin_check_digit(barcode[:-1]) != int(barcode[-1])
    ):
        raise ValidationFailed(
            _("Enter a valid EAN/UPC barcode (8, 12, 13 or 14 digits with its check digit)."),
            code="invalid_barcode",
            field="barcode",
        )
    return barcode


def _sku(value: Any, *, exclude_pk: int | None) -> str:
    sku = _text(value, field="sku", max_length=64)
    if not sku or not SKU_RE.match(sku):
        raise ValidationFailed(
            _("Enter a SKU of letters, digits, dots, slashes or hyphens."),
            code="invalid_sku",
            field="sku",
        )
    clash = Variant.objects.filter(sku__iexact=sku)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise Conflict(
            _("SKU %(sku)s is already used.") % {"sku": sku}, code="sku_taken", field="sku"
        )
    return sku


def _option_values(
    product: Product, values: Iterable[Any], *, exclude_variant: int | None
) -> list[OptionValue]:
    """Check values belong to the product type's options, one per option, in a new combination."""
    chosen = list(values)
    for value in chosen:
        _check_instance(value, OptionValue, field="option_values")
    allowed = set(product.product_type.options.values_list("pk", flat=True))
    seen: set[int] = set()
    for value in chosen:
        if value.option_id not in allowed:
            raise ValidationFailed(
                _("%(value)s is not an option of this product type.") % {"value": value.name},
                code="option_not_allowed",
                field="option_values",
            )
        if value.option_id in seen:
            raise ValidationFailed(
                _("Choose at most one value per option."),
                code="option_repeated",
                field="option_values",
            )
        seen.add(value.option_id)
    combination = frozenset(v.pk for v in chosen)
    if combination and combination in _existing_combinations(product, exclude_variant):
        raise Conflict(
            _("Another variant of this product already has these options."),
            code="variant_options_taken",
            field="option_values",
        )
    return chosen


def _existing_combinations(product: Product, exclude_variant: int | None) -> set[frozenset[int]]:
    through = Variant.option_values.through.objects.filter(variant__product=product)
    if exclude_variant is not None:
        through = through.exclude(variant_id=exclude_variant)
    combos: dict[int, set[int]] = {}
    for variant_id, value_id in through.values_list("variant_id", "optionvalue_id"):
        combos.setdefault(variant_id, set()).add(value_id)
    return {frozenset(values) for values in combos.values()}


def variant_create(
    *,
    product: Product,
    sku: str,
    option_values: Iterable[OptionValue] = (),
    barcode: str = "",
    weight_grams: int = 0,
    length_mm: int = 0,
    width_mm: int = 0,
    height_mm: int = 0,
    position: int | None = None,
    is_active: bool = True,
) -> Variant:
    """Add a sellable variant (one SKU) to a product."""
    _check_instance(product, Product, field="product")
    numbers = {
        "weight_grams": weight_grams,
        "length_mm": length_mm,
        "width_mm": width_mm,
        "height_mm": height_mm,
    }
    cleaned = {name: _int(value, field=name) for name, value in numbers.items()}
    clean_barcode = _barcode(barcode)
    active = _bool(is_active, field="is_active")
    with transaction.atomic():
        clean_sku = _sku(sku, exclude_pk=None)
        values = _option_values(product, option_values, exclude_variant=None)
        if position is None:
            last = Variant.objects.filter(product=product).aggregate(m=Max("position"))["m"]
            position = 0 if last is None else min(last + 1, 32767)
        variant = Variant(
            product=product,
            sku=clean_sku,
            barcode=clean_barcode,
            position=_int(position, field="position", maximum=32767),
            is_active=active,
            **cleaned,
        )
        try:
            with transaction.atomic():
                variant.save()
        except IntegrityError:
            raise Conflict(
                _("SKU %(sku)s is already used.") % {"sku": clean_sku},
                code="sku_taken",
                field="sku",
            ) from None
        variant.option_values.set(values)
        _emit_products([product.pk])
    return variant


def variant_update(*, variant: Variant, **changes: Any) -> Variant:
    """Change a variant's SKU, barcode, options, weight, dimensions, position or activity."""
    allowed = {"sku", "barcode", "option_values", "position", "is_active", *VARIANT_NUMBERS}
    _check_unknown(changes, allowed)
    with transaction.atomic():
        variant = lock_rows(Variant.objects.select_related("product").filter(pk=variant.pk)).get()
        if "sku" in changes:
            variant.sku = _sku(changes["sku"], exclude_pk=variant.pk)
        if "barcode" in changes:
            variant.barcode = _barcode(changes["barcode"])
        for name in VARIANT_NUMBERS:
            if name in changes:
                setattr(variant, name, _int(changes[name], field=name))
        if "position" in changes:
            variant.position = _int(changes["position"], field="position", maximum=32767)
        if "is_active" in changes:
            variant.is_active = _bool(changes["is_active"], field="is_active")
        values = None
        if "option_values" in changes:
            values = _option_values(
                variant.product, changes["option_values"], exclude_variant=variant.pk
            )
        try:
            with transaction.atomic():
                variant.save()
        except IntegrityError:
            raise Conflict(
                _("SKU %(sku)s is already used.") % {"sku": variant.sku},
                code="sku_taken",
                field="sku",
            ) from None
        if values is not None:
            variant.option_values.set(values)
        _emit_products([variant.product_id])
    return variant


# --- reviews -----------------------------------------------------------------------------------


# The longest review title (its column) and text a customer may post.
REVIEW_TITLE_MAX = 200
REVIEW_BODY_MAX = 5000


def review_create(
    *,
    product: Product,
    rating: int,
    author_name: str = "",
    title: str = "",
    body: str = "",
    language: str | None = None,
    user: Any = None,
    is_approved: bool = True,
    verified_purchase: bool = False,
) -> Review:
    """Record a customer review; an approved one updates the product's rating at once.

    A customer reviews a product once (``Conflict`` with code ``already_reviewed``)."""
    _check_instance(product, Product, field="product")
    rating = _int(rating, field="rating", minimum=1, maximum=5)
    author = _text(author_name, field="author_name", max_length=100)
    if not author and user is not None:
        author = (user.get_full_name() or user.email.split("@")[0])[:100]
    if not author:
        raise ValidationFailed(
            _("Give the name to show with the review."), code="required", field="author_name"
        )
    lang = language or (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if lang not in _languages():
        raise ValidationFailed(
            _("Unsupported language %(lang)s.") % {"lang": lang},
            code="invalid_language",
            field="language",
        )
    review = Review(
        product=product,
        user=user,
        author_name=author,
        rating=rating,
        title=_text(title, field="title", max_length=REVIEW_TITLE_MAX),
        body=_text(body, field="body", max_length=REVIEW_BODY_MAX),
        language=lang,
        is_approved=_bool(is_approved, field="is_approved"),
        verified_purchase=_bool(verified_purchase, field="verified_purchase"),
    )
    with transaction.atomic():
        _lock_product(product.pk)
        if user is not None and Review.objects.filter(product=product, user=user).exists():
            raise Conflict(
                _("You have already reviewed this product."),
                code="already_reviewed",
                field="product",
            )
        review.save()
        _refresh_rating(product)
    return review


def review_set_approved(*, review: Review, is_approved: bool) -> Review:
    """Approve or hide a review; the product's rating follows."""
    value = _bool(is_approved, field="is_approved")
    with transaction.atomic():
        _lock_product(review.product_id)
        Review.objects.filter(pk=review.pk).update(is_approved=value, updated_at=timezone.now())
        review.is_approved = value
        _refresh_rating(review.product)
    return review


def reviews_delete(*, reviews: list[Review]) -> int:
    """Delete reviews (a customer's, on erasure); their products' ratings follow."""
    product_ids = sorted({review.product_id for review in reviews})
    with transaction.atomic():
        for product_id in product_ids:
            _lock_product(product_id)
        deleted, _by_model = Review.objects.filter(pk__in=[r.pk for r in reviews]).delete()
        for product in Product.objects.filter(pk__in=product_ids):
            _refresh_rating(product)
    return deleted


def _lock_product(product_id: int) -> None:
    # Serializes rating recomputation so two reviews at once cannot lose a count.
    list(lock_rows(Product.objects.filter(pk=product_id)).values_list("pk", flat=True))


def _refresh_rating(product: Product) -> None:
    stats = Review.objects.filter(product_id=product.pk, is_approved=True).aggregate(
        average=Avg("rating"), count=Count("id")
    )
    average = stats["average"]
    if average is not None:
        average = Decimal(str(average)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    Product.objects.filter(pk=product.pk).update(
        rating_average=average, rating_count=stats["count"]
    )
    product.rating_average, product.rating_count = average, stats["count"]
    _emit_products([product.pk])


# --- images ------------------------------------------------------------------------------------


def product_image_add(
    *,
    product: Product,
    file: Any,
    alt_th: str = "",
    alt_en: str = "",
    variant: Variant | None = None,
    position: int | None = None,
) -> ProductImage:
    """Store a product photo and its responsive WebP/JPEG renditions (320–1280 px wide).

    The upload is fully validated (a real image, at most 40 megapixels) before anything is
    written, and files already written are removed again if the database write fails.
    """
    _check_instance(product, Product, field="product")
    if variant is not None:
        _check_instance(variant, Variant, field="variant")
        if variant.product_id != product.pk:
            raise ValidationFailed(
                _("The variant belongs to another product."),
                code="variant_mismatch",
                field="variant",
            )
    max_alt = ProductImage._meta.get_field("alt").max_length
    alts = {
        "alt_th": _text(alt_th, field="alt_th", max_length=max_alt),
        "alt_en": _text(alt_en, field="alt_en", max_length=max_alt),
    }
    for lang in ("th", "en"):  # a product photo always says what it shows
        alts[f"alt_{lang}"] = alts[f"alt_{lang}"] or (_name_for(product, lang)[:max_alt])
    if position is not None:
        position = _int(position, field="position", maximum=32767)
    data = images.read_upload(file)
    info = images.inspect_image(data)
    rendered = images.render(data)
    written: list[str] = []
    try:
        with transaction.atomic():
            if position is None:
                last = ProductImage.objects.filter(product=product).aggregate(m=Max("position"))
                position = 0 if last["m"] is None else min(last["m"] + 1, 32767)
            image = ProductImage(product=product, variant=variant, position=position, **alts)
            name = f"{product.pk}-{secrets.token_hex(6)}.{info.extension}"
            image.image.save(name, ContentFile(data), save=False)
            written.append(image.image.name or "")
            image.width, image.height = info.width, info.height
            image.save()
            image.renditions = images.store_renditions(image.pk, rendered)
            written.extend(images.rendition_files(image.renditions))
            ProductImage.objects.filter(pk=image.pk).update(renditions=image.renditions)
            _emit_products([product.pk])
    except BaseException:
        images.delete_files(written)
        raise
    return image


def product_image_generate_renditions(*, image: ProductImage) -> ProductImage:
    """(Re)render an image's renditions from its stored original; safe to run any time."""
    with image.image.open("rb") as handle:
        data = handle.read()
    rendered = images.render(data)
    old_files = set(images.rendition_files(image.renditions))
    renditions = images.store_renditions(image.pk, rendered)
    with transaction.atomic():
        ProductImage.objects.filter(pk=image.pk).update(renditions=renditions)
        image.renditions = renditions
        _emit_products([image.product_id])
    images.delete_files(sorted(old_files - set(images.rendition_files(renditions))))
    return image


def product_image_delete(*, image: ProductImage) -> None:
    """Remove a product photo; its files are deleted once the removal is committed."""
    files = [image.image.name, *images.rendition_files(image.renditions)]
    product_id = image.product_id
    with transaction.atomic():
        ProductImage.objects.filter(pk=image.pk).delete()
        _emit_products([product_id])
        transaction.on_commit(lambda: images.delete_files([f for f in files if f]))
