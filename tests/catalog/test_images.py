"""Product images: validation, stored originals, responsive renditions, the Celery task."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tridex.catalog import services, tasks
from tridex.catalog.models import ProductImage
from tridex.core.errors import ValidationFailed


def image_bytes(size=(1000, 700), fmt="PNG", mode="RGB") -> bytes:
    buffer = io.BytesIO()
    colour = (200, 120, 90) if mode == "RGB" else (200, 120, 90, 100)
    Image.new(mode, size, colour).save(buffer, fmt)
    return buffer.getvalue()


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` (a decompression-bomb shape)."""
    data = bytearray(image_bytes((1, 1)))
    ihdr = 8 + 8  # signature, then length + "IHDR"
    data[ihdr : ihdr + 8] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12 : ihdr + 13]))
    data[ihdr + 13 : ihdr + 17] = struct.pack(">I", crc)
    return bytes(data)


def stored_files(media_root: Path) -> list[Path]:
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def test_renditions_at_standard_widths_not_above_original(product, _media_root):
    image = services.product_image_add(
        product=product, file=image_bytes((1000, 700)), alt_th="ภาพ", alt_en="Photo"
    )
    assert (image.width, image.height) == (1000, 700)
    assert default_storage.exists(image.image.name)
    assert sorted(image.renditions, key=int) == ["320", "640", "960"]
    for width, formats in image.renditions.items():
        assert set(formats) == {"webp", "jpeg"}
        for fmt, name in formats.items():
            with default_storage.open(name) as handle, Image.open(handle) as rendered:
                assert rendered.format == {"webp": "WEBP", "jpeg": "JPEG"}[fmt]
                assert rendered.width == int(width)
                assert rendered.height == round(700 * int(width) / 1000)
    stored = ProductImage.objects.get()
    assert stored.renditions == image.renditions
    assert (stored.alt_th, stored.alt_en) == ("ภาพ", "Photo")


def test_large_original_gets_all_four_widths_and_alt_defaults_to_name(product):
    image = services.product_image_add(product=product, file=image_bytes((1400, 1400), "JPEG"))
    assert sorted(image.renditions, key=int) == ["320", "640", "960", "1280"]
    assert image.alt_en == product.name_en
    assert image.alt_th == product.name_th


def test_small_original_keeps_its_own_width(product):
    image = services.product_image_add(product=product, file=image_bytes((200, 150)))
    assert list(image.renditions) == ["200"]


def test_uploaded_file_with_alpha_and_variant_and_positions(product, colour):
    variant = services.variant_create(
        product=product, sku="NH-IMG", option_values=[colour.values.get(code="navy")]
    )
    upload = SimpleUploadedFile("cover.png", image_bytes((700, 700), "PNG", "RGBA"))
    first = services.product_image_add(product=product, file=upload, variant=variant)
    second = services.product_image_add(product=product, file=ContentFile(image_bytes()))
    assert (first.position, second.position, first.variant_id) == (0, 1, variant.pk)
    with default_storage.open(first.renditions["640"]["jpeg"]) as handle:
        assert Image.open(handle).mode == "RGB"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"not an image at all", "image_invalid"),
        (image_bytes()[:200], "image_invalid"),  # truncated PNG
        (b"", "image_empty"),
        (png_claiming_size(8000, 6000), "image_too_many_pixels"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_written(product, _media_root, payload, code):
    with pytest.raises(ValidationFailed) as exc:
        services.product_image_add(product=product, file=payload)
    assert (exc.value.code, exc.value.field) == (code, "file")
    assert not ProductImage.objects.exists()
    assert stored_files(_media_root) == []


def test_variant_of_another_product_is_refused(product, sofa_type, category, colour):
    other = services.product_create(product_type=sofa_type, category=category, name_en="Other")
    variant = services.variant_create(product=other, sku="NH-OTHER")
    with pytest.raises(ValidationFailed) as exc:
        services.product_image_add(product=product, file=image_bytes(), variant=variant)
    assert exc.value.code == "variant_mismatch"


def test_image_add_emits_product_changed_after_commit(product, django_capture_on_commit_callbacks):
    from tridex.core import events

    seen = []

    def handler(event):
        seen.append(event.payload["product_ids"])

    events.subscribe(services.PRODUCT_CHANGED)(handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.product_image_add(product=product, file=image_bytes())
    finally:
        events._subscribers[services.PRODUCT_CHANGED].remove(handler)
    assert seen == [[product.pk]]


def test_task_regenerates_missing_renditions_idempotently(product):
    image = services.product_image_add(product=product, file=image_bytes((1000, 700)))
    lost = image.renditions["640"]["webp"]
    default_storage.delete(lost)
    assert tasks.generate_image_renditions(image.pk) == 3
    assert tasks.generate_image_renditions(image.pk) == 3
    image.refresh_from_db()
    assert image.renditions["640"]["webp"] == lost
    assert default_storage.exists(lost)
    assert tasks.generate_image_renditions(999_999) == 0


def test_image_delete_removes_files_after_commit(
    product, _media_root, django_capture_on_commit_callbacks
):
    image = services.product_image_add(product=product, file=image_bytes())
    assert stored_files(_media_root)
    with django_capture_on_commit_callbacks(execute=True):
        services.product_image_delete(image=image)
    assert not ProductImage.objects.exists()
    assert stored_files(_media_root) == []
