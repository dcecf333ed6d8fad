"""Catalog reads: the category tree and lookups by translated slug."""

from __future__ import annotations

from django.utils import translation

from tridex.catalog.models import Category, Product
from tridex.core.errors import NotFound


def _slug_fields() -> list[str]:
    """Slug columns to try, the active language's first."""
    from django.conf import settings

    active = translation.get_language() or settings.LANGUAGE_CODE
    codes = [active] + [code for code, _ in settings.LANGUAGES if code != active]
    return [f"slug_{code.split('-')[0]}" for code in codes]


def category_list(*, published_only: bool = True) -> list[Category]:
    """Every category in tree order (parents before children), in one query."""
    categories = Category.objects.all()
    if published_only:
        categories = categories.filter(is_published=True)
    return list(categories.order_by("path"))


def category_get(*, slug: str) -> Category:
    for field in _slug_fields():
        category = Category.objects.filter(is_published=True, **{field: slug}).first()
        if category is not None:
            return category
    raise NotFound("This category does not exist.", code="category_not_found", field="slug")


def category_descendant_ids(*, category: Category) -> list[int]:
    """The category and all categories below it."""
    return list(
        Category.objects.filter(path__startswith=category.path, is_published=True).values_list(
            "id", flat=True
        )
    )


def category_ancestors(*, category: Category) -> list[Category]:
    """From the root down to ``category`` itself."""
    ids = [int(part) for part in category.path.split("/") if part]
    by_id = Category.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def product_get_visible(*, slug: str | None = None, product_id: int | None = None) -> Product:
    """A published, currently available product by id or by slug in any language."""
    products = Product.objects.visible()
    if product_id is not None:
        product = products.filter(pk=product_id).first()
        if product is not None:
            return product
    elif slug:
        for field in _slug_fields():
            product = products.filter(**{field: slug}).first()
            if product is not None:
                return product
    raise NotFound("This product does not exist.", code="product_not_found")
