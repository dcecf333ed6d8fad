"""Product image handling: validate an upload, and render responsive WebP/JPEG renditions.

Pure image work lives here so that ``services.product_image_add`` (at upload time) and the
Celery task ``tasks.generate_image_renditions`` (re-rendering later) share one code path. Files
go through Django's ``default_storage`` so the same code writes to disk or an object store.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from tridex.core.errors import ValidationFailed

RENDITION_WIDTHS = (320, 640, 960, 1280)
MAX_PIXELS = 40_000_000  # 40 MP: above this an upload is refused before it is decoded
MAX_BYTES = 25 * 1024 * 1024
ACCEPTED_FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
JPEG_OPTIONS = {"quality": 82, "optimize": True, "progressive": True}
WEBP_OPTIONS = {"quality": 80, "method": 4}
RENDITION_DIR = "products/renditions"

# Re-encoding is the slow part of an upload. The same bytes uploaded again (a shared lifestyle
# photo, the demo's per-colour illustrations) reuse the encoded renditions instead.
_CACHE_ENTRIES = 64
_render_cache: OrderedDict[str, dict[int, dict[str, bytes]]] = OrderedDict()


@dataclass(frozen=True)
class ImageInfo:
    format: str
    extension: str
    width: int
    height: int


def read_upload(file: Any) -> bytes:
    """Return the bytes of ``file``: ``bytes``, a Django ``File``/``UploadedFile`` or a stream."""
    if isinstance(file, bytes | bytearray | memoryview):
        data = bytes(file)
    elif hasattr(file, "chunks") or hasattr(file, "read"):
        if hasattr(file, "seek"):
            with contextlib.suppress(OSError, ValueError):
                file.seek(0)
        if hasattr(file, "chunks"):
            data = b"".join(_bounded(file.chunks()))
        else:
            data = file.read(MAX_BYTES + 1)
        if not isinstance(data, bytes):
            raise ValidationFailed(_("Upload an image file."), code="image_invalid", field="file")
    else:
        raise ValidationFailed(_("Upload an image file."), code="image_invalid", field="file")
    if len(data) > MAX_BYTES:
        raise _too_large()
    if not data:
        raise ValidationFailed(_("The uploaded file is empty."), code="image_empty", field="file")
    return data


def _bounded(chunks: Any) -> Any:
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > MAX_BYTES:
            raise _too_large()
        yield chunk


def _too_large() -> ValidationFailed:
    return ValidationFailed(
        _("The image is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)},
        code="image_too_large",
        field="file",
    )


def inspect_image(data: bytes) -> ImageInfo:
    """Check that ``data`` is a whole, supported image of at most 40 megapixels."""
    not_an_image = ValidationFailed(
        _("The file is not an image we can read (use JPEG, PNG, WebP or GIF)."),
        code="image_invalid",
        field="file",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                fmt, (width, height) = probe.format or "", probe.size
                _check_size(width, height)
                probe.verify()
            # verify() checks structure only; decoding catches truncated pixel data.
            with Image.open(io.BytesIO(data)) as full:
                full.load()
        except ValidationFailed:
            raise
        except Image.DecompressionBombError:
            raise _too_many_pixels() from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise not_an_image from None
    if fmt not in ACCEPTED_FORMATS:
        raise not_an_image
    return ImageInfo(format=fmt, extension=ACCEPTED_FORMATS[fmt], width=width, height=height)


def _check_size(width: int, height: int) -> None:
    if width < 1 or height < 1:
        raise ValidationFailed(_("The image has no pixels."), code="image_invalid", field="file")
    if width * height > MAX_PIXELS:
        raise _too_many_pixels()


def _too_many_pixels() -> ValidationFailed:
    return ValidationFailed(
        _("The image is larger than 40 megapixels; resize it and upload it again."),
        code="image_too_many_pixels",
        field="file",
    )


def rendition_widths(original_width: int) -> list[int]:
    """Widths to render: the standard ones not wider than the original (never upscale)."""
    widths = [w for w in RENDITION_WIDTHS if w <= original_width]
    return widths or [original_width]


def render(data: bytes) -> dict[int, dict[str, bytes]]:
    """Encode ``data`` at every rendition width as WebP and JPEG: {width: {format: bytes}}."""
    key = hashlib.sha256(data).hexdigest()
    cached = _render_cache.get(key)
    if cached is not None:
        _render_cache.move_to_end(key)
        return cached
    with Image.open(io.BytesIO(data)) as opened:
        source = ImageOps.exif_transpose(opened)
        source.load()
    has_alpha = source.mode in ("RGBA", "LA") or "transparency" in source.info
    rgba = source.convert("RGBA") if has_alpha else source.convert("RGB")
    result: dict[int, dict[str, bytes]] = {}
    for width in rendition_widths(rgba.width):
        height = max(1, round(rgba.height * width / rgba.width))
        resized = (
            rgba
            if width == rgba.width
            else rgba.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        )
        result[width] = {"webp": _encode(resized, "WEBP"), "jpeg": _encode(resized, "JPEG")}
    _render_cache[key] = result
    while len(_render_cache) > _CACHE_ENTRIES:
        _render_cache.popitem(last=False)
    return result


def _encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        if image.mode == "RGBA":  # JPEG has no alpha: flatten onto white, as shops show it
            flat = Image.new("RGB", image.size, (255, 255, 255))
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        image.save(buffer, "JPEG", **JPEG_OPTIONS)
    else:
        image.save(buffer, "WEBP", **WEBP_OPTIONS)
    return buffer.getvalue()


def rendition_name(image_id: int, width: int, fmt: str) -> str:
    """A fixed storage name per image, width and format, so re-rendering overwrites in place."""
    extension = "jpg" if fmt == "jpeg" else fmt
    return f"{RENDITION_DIR}/{image_id}/{width}.{extension}"


def store_renditions(image_id: int, rendered: dict[int, dict[str, bytes]]) -> dict[str, Any]:
    """Write rendered files to storage; return the ``ProductImage.renditions`` mapping."""
    mapping: dict[str, Any] = {}
    for width, formats in sorted(rendered.items()):
        entry = {}
        for fmt, payload in formats.items():
            name = rendition_name(image_id, width, fmt)
            if default_storage.exists(name):
                default_storage.delete(name)
            entry[fmt] = default_storage.save(name, ContentFile(payload))
        mapping[str(width)] = entry
    return mapping


def rendition_files(renditions: dict[str, Any]) -> list[str]:
    """Every storage name a ``renditions`` mapping refers to."""
    names: list[str] = []
    for formats in (renditions or {}).values():
        if isinstance(formats, dict):
            names.extend(str(name) for name in formats.values() if name)
    return names


def delete_files(names: list[str]) -> None:
    """Remove stored files, ignoring ones already gone (deletion is retried and idempotent)."""
    for name in names:
        try:
            default_storage.delete(name)
        except (FileNotFoundError, OSError):
            continue
