"""The catalog: categories, product types and their options, products, variants, images, reviews.

A product groups variants; a variant (one SKU) is what is priced, stocked and sold. Names,
descriptions, slugs and SEO fields are translated (see ``translation.py``: one column per
language, e.g. ``name_th`` and ``name_en``).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tridex.core.models import TimeStampedModel


class Category(TimeStampedModel):
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, allow_unicode=True)
    description = models.TextField(_("description"), blank=True, default="")
    seo_title = models.CharField(_("SEO title"), max_length=200, blank=True, default="")
    seo_description = models.CharField(_("SEO description"), max_length=300, blank=True, default="")
    # Materialized path of ids ("3/17/") so a subtree is one indexed prefix query.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path", "position"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().save(*args, **kwargs)
        parent_path = self.parent.path if self.parent_id and self.parent else ""
        path = f"{parent_path}{self.pk}/"
        depth = path.count("/") - 1
        if (path, depth) != (self.path, self.depth):
            Category.objects.filter(pk=self.pk).update(path=path, depth=depth)
            old = self.path
            self.path, self.depth = path, depth
            if old:
                for child in Category.objects.filter(path__startswith=old).exclude(pk=self.pk):
                    child.save()


class Option(models.Model):
    """A dimension along which variants differ: seats, size, colour, fabric."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_filterable = models.BooleanField(_("filter in listings"), default=True)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class OptionValue(models.Model):
    option = models.ForeignKey(
        Option, on_delete=models.CASCADE, related_name="values", verbose_name=_("option")
    )
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=100)
    swatch = models.CharField(
        _("swatch colour"), max_length=7, blank=True, default="", help_text="#RRGGBB"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("option value")
        verbose_name_plural = _("option values")
        ordering = ["option__position", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["option", "code"], name="catalog_optionvalue_unique")
        ]

    def __str__(self) -> str:
        return f"{self.option.name}: {self.name}"


class ProductType(models.Model):
    name = models.CharField(_("name"), max_length=100)
    options = models.ManyToManyField(Option, blank=True, verbose_name=_("options"))
    is_shippable = models.BooleanField(_("shippable"), default=True)

    class Meta:
        verbose_name = _("product type")
        verbose_name_plural = _("product types")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProductQuerySet(models.QuerySet["Product"]):
    def visible(self, at=None) -> ProductQuerySet:  # type: ignore[no-untyped-def]
        """Published and within its availability dates at ``at`` (default: now)."""
        now = at or timezone.now()
        return self.filter(
            Q(available_from__isnull=True) | Q(available_from__lte=now),
            Q(available_until__isnull=True) | Q(available_until__gt=now),
            is_published=True,
        )


class Product(TimeStampedModel):
    product_type = models.ForeignKey(
        ProductType, on_delete=models.PROTECT, related_name="products", verbose_name=_("type")
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("category"),
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, allow_unicode=True)
    description = models.TextField(_("description"), blank=True, default="")
    seo_title = models.CharField(_("SEO title"), max_length=200, blank=True, default="")
    seo_description = models.CharField(_("SEO description"), max_length=300, blank=True, default="")
    is_published = models.BooleanField(_("published"), default=True)
    available_from = models.DateTimeField(_("available from"), null=True, blank=True)
    available_until = models.DateTimeField(_("available until"), null=True, blank=True)
    is_featured = models.BooleanField(_("featured"), default=False)
    # Denormalized from approved reviews by services.review_* so listings need no aggregate.
    rating_average = models.DecimalField(
        _("average rating"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    rating_count = models.PositiveIntegerField(_("number of ratings"), default=0)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["is_published", "category"], name="catalog_product_pub_cat"),
            models.Index(fields=["-created_at", "-id"], name="catalog_product_newest"),
            # The home page's featured shelf: a handful of rows out of the whole catalog.
            models.Index(
                fields=["id"], condition=models.Q(is_featured=True), name="catalog_product_featured"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_visible(self, at=None) -> bool:  # type: ignore[no-untyped-def]
        """The rule of ``ProductQuerySet.visible`` for a product already loaded."""
        return product_is_visible(
            is_published=self.is_published,
            available_from=self.available_from,
            available_until=self.available_until,
            at=at,
        )


def product_is_visible(
    *,
    is_published: bool,
    available_from: datetime | None,
    available_until: datetime | None,
    at: datetime | None = None,
) -> bool:
    """The rule of ``ProductQuerySet.visible`` for a product's columns read as plain values."""
    now = at or timezone.now()
    return (
        is_published
        and (available_from is None or available_from <= now)
        and (available_until is None or available_until > now)
    )


class Variant(TimeStampedModel):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="variants", verbose_name=_("product")
    )
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    barcode = models.CharField(_("barcode"), max_length=64, blank=True, default="")
    option_values = models.ManyToManyField(
        OptionValue, blank=True, related_name="variants", verbose_name=_("option values")
    )
    weight_grams = models.PositiveIntegerField(_("weight (g)"), default=0)
    length_mm = models.PositiveIntegerField(_("length (mm)"), default=0)
    width_mm = models.PositiveIntegerField(_("width (mm)"), default=0)
    height_mm = models.PositiveIntegerField(_("height (mm)"), default=0)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["product_id", "position", "id"]

    def __str__(self) -> str:
        return self.sku


class ProductImage(models.Model):
    """A product photo. ``renditions`` maps width → {"webp": path, "jpeg": path}."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="images", verbose_name=_("product")
    )
    variant = models.ForeignKey(
        Variant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="images",
        verbose_name=_("variant"),
    )
    image = models.ImageField(
        _("image"), upload_to="products/%Y/%m/", width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    alt = models.CharField(_("alternative text"), max_length=200, blank=True, default="")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    renditions = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["product_id", "position", "id"]

    def __str__(self) -> str:
        return self.alt or self.image.name or ""


class Review(TimeStampedModel):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("product")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name=_("customer"),
    )
    author_name = models.CharField(_("name shown"), max_length=100)
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    title = models.CharField(_("title"), max_length=200, blank=True, default="")
    body = models.TextField(_("review"), blank=True, default="")
    language = models.CharField(_("language"), max_length=8, default="th")
    is_approved = models.BooleanField(_("approved"), default=True)
    # Set when the review is posted: the customer had a paid order with this product.
    verified_purchase = models.BooleanField(_("verified purchase"), default=False)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="catalog_review_rating_range"
            ),
            models.UniqueConstraint(
                fields=["product", "user"],
                condition=Q(user__isnull=False),
                name="catalog_review_one_per_customer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} ★{self.rating}"
