"""Catalog write services: happy paths, bad input, slugs, ratings and events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tridex.catalog import services
from tridex.catalog.models import Category, Product, Review, Variant
from tridex.core import events
from tridex.core.errors import Conflict, DomainError, ValidationFailed


@pytest.fixture
def product_events():
    """Record the product ids of every delivered ``catalog.product_changed`` event."""
    seen: list[list[int]] = []

    def handler(event: events.Event) -> None:
        seen.append(event.payload["product_ids"])

    events.subscribe(services.PRODUCT_CHANGED)(handler)
    yield seen
    events._subscribers[services.PRODUCT_CHANGED].remove(handler)


def val(option, code):
    return option.values.get(code=code)


# --- slugs and categories ----------------------------------------------------------------------


def test_slugify_keeps_thai_marks_and_joins_words():
    assert services.slugify_text("ผ้าคลุมโซฟากันน้ำ 3 ที่นั่ง") == "ผ้าคลุมโซฟากันน้ำ-3-ที่นั่ง"
    assert services.slugify_text("  L-Shape & Recliner: It's Velvet! ") == (
        "l-shape-recliner-its-velvet"
    )


def test_category_create_generates_unique_slugs_per_language(db):
    first = services.category_create(name_th="ผ้าคลุมโซฟา", name_en="Sofa covers")
    second = services.category_create(name_th="ผ้าคลุมโซฟา", name_en="Sofa covers")
    assert (first.slug_th, first.slug_en) == ("ผ้าคลุมโซฟา", "sofa-covers")
    assert (second.slug_th, second.slug_en) == ("ผ้าคลุมโซฟา-2", "sofa-covers-2")
    child = services.category_create(name_th="กำมะหยี่", name_en="Velvet", parent=first)
    assert child.path == f"{first.pk}/{child.pk}/"


def test_category_explicit_duplicate_slug_is_a_conflict(category):
    with pytest.raises(Conflict) as exc:
        services.category_create(name_en="Other", slug_en="sofa-covers")
    assert (exc.value.code, exc.value.field) == ("slug_taken", "slug_en")
    assert Category.objects.count() == 1


def test_category_without_name_is_refused(db):
    with pytest.raises(ValidationFailed) as exc:
        services.category_create(name_th="  ", name_en="")
    assert exc.value.code == "name_required"
    assert not Category.objects.exists()


def test_category_cannot_move_under_its_own_child(category):
    child = services.category_create(name_en="Velvet", parent=category)
    with pytest.raises(ValidationFailed) as exc:
        services.category_update(category=category, parent=child)
    assert (exc.value.code, exc.value.field) == ("category_cycle", "parent")


def test_category_update_moves_subtree_and_announces_its_products(
    category, product, product_events, django_capture_on_commit_callbacks
):
    root = services.category_create(name_en="All covers")
    with django_capture_on_commit_callbacks(execute=True):
        services.category_update(category=category, parent=root, name_en="Sofa covers (all)")
    category.refresh_from_db()
    assert category.path == f"{root.pk}/{category.pk}/"
    assert category.slug_en == "sofa-covers"  # a rename keeps the address
    assert [product.pk] in product_events


def test_option_value_swatch_and_codes_are_validated(colour):
    with pytest.raises(ValidationFailed) as exc:
        services.option_value_create(option=colour, code="red", name_en="Red", swatch="red")
    assert exc.value.code == "invalid_swatch"
    with pytest.raises(Conflict):
        services.option_value_create(option=colour, code="navy", name_en="Navy again")
    with pytest.raises(ValidationFailed) as exc:
        services.option_create(code="Bad Code", name_en="Bad")
    assert exc.value.code == "invalid_code"


# --- products ----------------------------------------------------------------------------------


def test_product_create_slugs_suffix_per_language(sofa_type, category):
    kwargs = {
        "product_type": sofa_type,
        "category": category,
        "name_th": "ผ้าคลุมโซฟากันน้ำ",
        "name_en": "Waterproof Sofa Cover",
    }
    first = services.product_create(**kwargs)
    second = services.product_create(**kwargs, description_en="Second one")
    assert (first.slug_th, first.slug_en) == ("ผ้าคลุมโซฟากันน้ำ", "waterproof-sofa-cover")
    assert (second.slug_th, second.slug_en) == ("ผ้าคลุมโซฟากันน้ำ-2", "waterproof-sofa-cover-2")


def test_product_missing_language_slug_comes_from_another_name(sofa_type, category):
    product = services.product_create(
        product_type=sofa_type, category=category, name_en="Velvet Cover"
    )
    assert product.slug_th == "velvet-cover"


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"name_th": "", "name_en": ""}, "name_required", "name_th"),
        ({"name_en": "x", "colour": "red"}, "unknown_field", "colour"),
        ({"name_en": "x" * 201}, "text_too_long", "name_en"),
        ({"name_en": "x", "slug_en": "!!!"}, "invalid_slug", "slug_en"),
        ({"name_en": "x", "is_published": "yes"}, "invalid_boolean", "is_published"),
    ],
)
def test_product_create_bad_input(sofa_type, category, kwargs, code, field):
    with pytest.raises(DomainError) as exc:
        services.product_create(product_type=sofa_type, category=category, **kwargs)
    assert (exc.value.code, exc.value.field) == (code, field)
    assert not Product.objects.exists()


def test_product_availability_window_must_be_ordered(sofa_type, category):
    now = timezone.now()
    with pytest.raises(ValidationFailed) as exc:
        services.product_create(
            product_type=sofa_type,
            category=category,
            name_en="x",
            available_from=now,
            available_until=now - timedelta(days=1),
        )
    assert exc.value.code == "invalid_availability"


def test_product_update_keeps_slug_unless_cleared(product, sofa_type, category):
    updated = services.product_update(product=product, name_en="Aqua Shield Sofa Cover")
    assert updated.name_en == "Aqua Shield Sofa Cover"
    assert updated.slug_en == "waterproof-sofa-cover-3-seat"
    regenerated = services.product_update(product=product, slug_en="")
    assert regenerated.slug_en == "aqua-shield-sofa-cover"
    other = services.product_create(product_type=sofa_type, category=category, name_en="Other")
    with pytest.raises(Conflict):
        services.product_update(product=other, slug_en="aqua-shield-sofa-cover")


def test_product_set_published_emits_after_commit(
    product, product_events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.product_set_published(product=product, is_published=False)
    assert product_events == []  # nothing is delivered before the commit
    with django_capture_on_commit_callbacks(execute=True):  # as the commit would
        for callback in callbacks:
            callback()
    assert product_events == [[product.pk]]
    assert not Product.objects.visible().filter(pk=product.pk).exists()


def test_one_transaction_announces_each_product_once(
    product, sofa_type, category, colour, product_events, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        other = services.product_create(product_type=sofa_type, category=category, name_en="B")
        for code in ("navy", "sand"):
            services.variant_create(
                product=product, sku=f"NH-{code}", option_values=[val(colour, code)]
            )
        services.product_set_published(product=other, is_published=False)
    assert product_events == [sorted([product.pk, other.pk])]


# --- variants ----------------------------------------------------------------------------------


def test_variant_create_happy_path(
    product, colour, seats, product_events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        variant = services.variant_create(
            product=product,
            sku="NH-AQ-3S-NVY",
            option_values=[val(colour, "navy"), val(seats, "seat-3")],
            barcode="4006381333931",
            weight_grams=1200,
            length_mm=300,
            width_mm=250,
            height_mm=80,
        )
    assert variant.position == 0
    assert {v.code for v in variant.option_values.all()} == {"navy", "seat-3"}
    assert product_events == [[product.pk]]
    second = services.variant_create(
        product=product, sku="NH-AQ-3S-SND", option_values=[val(colour, "sand")]
    )
    assert second.position == 1


def test_duplicate_sku_is_a_conflict_case_insensitive(product, colour):
    services.variant_create(product=product, sku="NH-1", option_values=[val(colour, "navy")])
    with pytest.raises(Conflict) as exc:
        services.variant_create(product=product, sku="nh-1", option_values=[val(colour, "sand")])
    assert (exc.value.code, exc.value.field) == ("sku_taken", "sku")
    assert Variant.objects.count() == 1


def test_option_value_of_an_option_the_type_lacks_is_refused(product, fabric):
    with pytest.raises(ValidationFailed) as exc:
        services.variant_create(product=product, sku="NH-2", option_values=[val(fabric, "velvet")])
    assert (exc.value.code, exc.value.field) == ("option_not_allowed", "option_values")
    assert not Variant.objects.exists()


def test_two_values_of_one_option_are_refused(product, colour):
    with pytest.raises(ValidationFailed) as exc:
        services.variant_create(
            product=product, sku="NH-3", option_values=[val(colour, "navy"), val(colour, "sand")]
        )
    assert exc.value.code == "option_repeated"
    assert not Variant.objects.exists()


def test_same_option_combination_twice_is_a_conflict(product, colour):
    services.variant_create(product=product, sku="NH-4", option_values=[val(colour, "navy")])
    with pytest.raises(Conflict) as exc:
        services.variant_create(product=product, sku="NH-5", option_values=[val(colour, "navy")])
    assert exc.value.code == "variant_options_taken"


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"weight_grams": -1}, "invalid_number", "weight_grams"),
        ({"height_mm": 1.5}, "invalid_number", "height_mm"),
        ({"length_mm": True}, "invalid_number", "length_mm"),
        ({"barcode": "400638133393" + "2"}, "invalid_barcode", "barcode"),
        ({"barcode": "abc"}, "invalid_barcode", "barcode"),
        ({"sku": ""}, "invalid_sku", "sku"),
        ({"sku": "has space"}, "invalid_sku", "sku"),
    ],
)
def test_variant_bad_input(product, kwargs, code, field):
    with pytest.raises(ValidationFailed) as exc:
        services.variant_create(product=product, **{"sku": "NH-OK", **kwargs})
    assert (exc.value.code, exc.value.field) == (code, field)
    assert not Variant.objects.exists()


def test_gtin_check_digit_matches_known_ean13():
    assert services.gtin_check_digit("400638133393") == 1  # 4006381333931
    assert services.gtin_check_digit("03600029145") == 2  # UPC-A 036000291452


def test_variant_update(product, colour, seats):
    a = services.variant_create(product=product, sku="NH-A", option_values=[val(colour, "navy")])
    b = services.variant_create(product=product, sku="NH-B", option_values=[val(colour, "sand")])
    updated = services.variant_update(
        variant=a,
        sku="NH-A2",
        weight_grams=900,
        option_values=[val(colour, "navy"), val(seats, "seat-1")],
    )
    assert updated.sku == "NH-A2"
    assert {v.code for v in updated.option_values.all()} == {"navy", "seat-1"}
    with pytest.raises(Conflict):
        services.variant_update(variant=b, sku="nh-a2")
    with pytest.raises(Conflict):
        services.variant_update(
            variant=b, option_values=[val(colour, "navy"), val(seats, "seat-1")]
        )
    with pytest.raises(ValidationFailed) as exc:
        services.variant_update(variant=b, price=10)
    assert exc.value.code == "unknown_field"
    b.refresh_from_db()
    assert b.sku == "NH-B"


# --- reviews -----------------------------------------------------------------------------------


def test_reviews_recompute_rating_from_approved_only(product, django_user_model):
    user = django_user_model.objects.create_user("somchai@example.com", first_name="Somchai")
    services.review_create(product=product, rating=5, user=user, body="ใส่พอดีมาก", language="th")
    services.review_create(product=product, rating=4, author_name="Anna", language="en")
    hidden = services.review_create(
        product=product, rating=1, author_name="Spam", is_approved=False
    )
    product.refresh_from_db()
    assert (product.rating_average, product.rating_count) == (pytest.approx(4.5), 2)
    services.review_set_approved(review=hidden, is_approved=True)
    product.refresh_from_db()
    assert (str(product.rating_average), product.rating_count) == ("3.33", 3)
    assert Review.objects.get(user=user).author_name == "Somchai"


@pytest.mark.parametrize("rating", [0, 6, "5", 4.5, True, None])
def test_bad_rating_is_refused_and_nothing_written(product, rating):
    with pytest.raises(ValidationFailed) as exc:
        services.review_create(product=product, rating=rating, author_name="A")
    assert (exc.value.code, exc.value.field) == ("invalid_number", "rating")
    assert not Review.objects.exists()
    product.refresh_from_db()
    assert product.rating_count == 0


def test_review_needs_an_author_and_a_known_language(product):
    with pytest.raises(ValidationFailed) as exc:
        services.review_create(product=product, rating=5)
    assert exc.value.field == "author_name"
    with pytest.raises(ValidationFailed) as exc:
        services.review_create(product=product, rating=5, author_name="A", language="fr")
    assert exc.value.code == "invalid_language"
