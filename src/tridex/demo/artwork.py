"""Product illustrations for the demo shop, drawn locally with Pillow (no downloads).

Each picture is a stylised piece of furniture (or care product) in the variant's colour on a
soft tinted background, with a light fabric texture. Drawing is deterministic, so the same
shape and colour always give the same bytes; the seed caches them per shape and colour.
"""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

RGB = tuple[int, int, int]
SHAPES = (
    "sofa",
    "armchair",
    "lshape",
    "recliner",
    "cushion",
    "bottle",
    "roller",
    "sticks",
    "brush",
)


def hex_to_rgb(value: str) -> RGB:
    value = value.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _shade(colour: RGB, amount: float) -> RGB:
    """Darken (amount < 0) or lighten (amount > 0) a colour."""
    return _mix(colour, (0, 0, 0) if amount < 0 else (255, 255, 255), abs(amount))


def _background(size: int, colour: RGB) -> Image.Image:
    top = _mix(colour, (250, 247, 242), 0.9)
    bottom = _mix(colour, (236, 230, 221), 0.8)
    gradient = Image.linear_gradient("L").resize((size, size))
    image = Image.composite(
        Image.new("RGB", (size, size), bottom), Image.new("RGB", (size, size), top), gradient
    )
    floor = int(size * 0.74)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, floor, size, size), fill=_mix(bottom, (255, 255, 255), 0.25))
    draw.line((0, floor, size, floor), fill=_shade(bottom, -0.05), width=max(1, size // 400))
    return image


def _shadow(image: Image.Image, box: tuple[float, float, float, float]) -> None:
    """A soft floor shadow, blurred at quarter size for speed."""
    size = image.width
    small = Image.new("L", (size // 4, size // 4), 0)
    x0, y0, x1, y1 = (v / 4 for v in box)
    ImageDraw.Draw(small).ellipse((x0, y0, x1, y1), fill=90)
    mask = small.filter(ImageFilter.GaussianBlur(size / 120)).resize((size, size))
    image.paste((60, 52, 44), (0, 0), mask)


def _texture(size: int, kind: str) -> Image.Image:
    """A grey texture centred on 128: knit ribs, woven cross-hatch or plush noise."""
    return _texture_cached(size, kind).copy()


@lru_cache(maxsize=8)
def _texture_cached(size: int, kind: str) -> Image.Image:
    noise = Image.effect_noise((size, size), 10 if kind == "plush" else 6)
    if kind == "plush":
        return noise.filter(ImageFilter.GaussianBlur(1))
    lines = Image.new("L", (size, size), 128)
    draw = ImageDraw.Draw(lines)
    step = max(3, size // 150)
    for x in range(0, size, step):
        draw.line((x, 0, x, size), fill=140 if kind == "knit" else 136)
    if kind == "woven":
        for y in range(0, size, step):
            draw.line((0, y, size, y), fill=120)
    return ImageChops.add(lines, noise, scale=2.0, offset=0)


def _apply_texture(image: Image.Image, mask: Image.Image, kind: str) -> Image.Image:
    texture = _texture(image.width, kind).convert("RGB")
    textured = ImageChops.overlay(image, texture)
    return Image.composite(textured, image, mask)


def _rounded(
    draw: ImageDraw.ImageDraw, box: tuple[float, ...], radius: float, fill: RGB | int
) -> None:
    draw.rounded_rectangle(tuple(round(v) for v in box), radius=round(radius), fill=fill)


def _sofa(image: Image.Image, mask: Image.Image, colour: RGB, seats: int, chaise: bool) -> None:
    s = image.width
    draw, m = ImageDraw.Draw(image), ImageDraw.Draw(mask)
    left, right = s * (0.16 if seats >= 3 else 0.24), s * (0.84 if seats >= 3 else 0.76)
    top, seat_y, bottom = s * 0.34, s * 0.52, s * 0.7
    arm = s * 0.085
    _shadow(image, (left - s * 0.03, bottom - s * 0.03, right + s * 0.03, bottom + s * 0.05))
    for x in (left + arm * 0.6, right - arm * 0.6):  # legs
        draw.rectangle(
            (x - s * 0.01, bottom - s * 0.01, x + s * 0.01, bottom + s * 0.03), fill=(70, 56, 44)
        )
    parts = [
        (
            (left + arm * 0.5, top, right - arm * 0.5, seat_y + s * 0.04),
            s * 0.05,
            _shade(colour, -0.12),
        ),
        ((left, seat_y - s * 0.06, left + arm, bottom), s * 0.04, _shade(colour, -0.05)),
        ((right - arm, seat_y - s * 0.06, right, bottom), s * 0.04, _shade(colour, -0.05)),
        ((left + arm * 0.8, seat_y, right - arm * 0.8, bottom), s * 0.03, colour),
    ]
    for box, radius, fill in parts:
        _rounded(draw, box, radius, fill)
        _rounded(m, box, radius, 255)
    width = (right - left - arm * 2) / seats
    for i in range(seats):  # seat cushions
        x0 = left + arm + i * width
        box = (x0 + s * 0.006, seat_y - s * 0.015, x0 + width - s * 0.006, seat_y + s * 0.07)
        _rounded(draw, box, s * 0.025, _shade(colour, 0.08))
        back = (x0 + s * 0.012, top + s * 0.03, x0 + width - s * 0.012, seat_y - s * 0.02)
        _rounded(draw, back, s * 0.03, _shade(colour, -0.04))
    if chaise:
        box = (right - arm - width * 1.2, seat_y + s * 0.03, right + s * 0.02, bottom + s * 0.06)
        _shadow(image, (box[0], box[3] - s * 0.02, box[2] + s * 0.02, box[3] + s * 0.04))
        _rounded(draw, box, s * 0.03, _shade(colour, 0.04))
        _rounded(m, box, s * 0.03, 255)
        draw.line(
            (box[0] + s * 0.02, box[1] + s * 0.03, box[2] - s * 0.02, box[1] + s * 0.03),
            fill=_shade(colour, 0.16),
            width=max(1, s // 300),
        )


def _recliner(image: Image.Image, mask: Image.Image, colour: RGB) -> None:
    s = image.width
    draw, m = ImageDraw.Draw(image), ImageDraw.Draw(mask)
    _shadow(image, (s * 0.22, s * 0.66, s * 0.82, s * 0.76))
    parts = [
        ((s * 0.3, s * 0.24, s * 0.62, s * 0.56), s * 0.07, _shade(colour, -0.1)),
        ((s * 0.25, s * 0.44, s * 0.36, s * 0.7), s * 0.05, _shade(colour, -0.03)),
        ((s * 0.56, s * 0.44, s * 0.67, s * 0.7), s * 0.05, _shade(colour, -0.03)),
        ((s * 0.33, s * 0.5, s * 0.6, s * 0.7), s * 0.04, colour),
        ((s * 0.58, s * 0.55, s * 0.8, s * 0.64), s * 0.03, _shade(colour, 0.06)),
    ]
    for box, radius, fill in parts:
        _rounded(draw, box, radius, fill)
        _rounded(m, box, radius, 255)
    for y in (0.33, 0.42):
        draw.line(
            (s * 0.34, s * y, s * 0.58, s * y), fill=_shade(colour, -0.2), width=max(1, s // 250)
        )


def _cushion(image: Image.Image, mask: Image.Image, colour: RGB) -> None:
    s = image.width
    _shadow(image, (s * 0.2, s * 0.68, s * 0.8, s * 0.78))
    for offset, fill in ((-0.1, _shade(colour, 0.18)), (0.08, colour)):
        layer = Image.new("L", (s, s), 0)
        box = (
            s * (0.28 + offset),
            s * (0.28 - offset / 2),
            s * (0.68 + offset),
            s * (0.7 - offset / 2),
        )
        _rounded(ImageDraw.Draw(layer), box, s * 0.07, 255)
        layer = layer.rotate(
            -6 if offset > 0 else 5, resample=Image.Resampling.BILINEAR, center=(s / 2, s / 2)
        )
        image.paste(fill, (0, 0), layer)
        mask.paste(255, (0, 0), layer)
    draw = ImageDraw.Draw(image)
    cx, cy = s * 0.56, s * 0.45
    draw.ellipse(
        (cx - s * 0.012, cy - s * 0.012, cx + s * 0.012, cy + s * 0.012), fill=_shade(colour, -0.25)
    )


def _care(image: Image.Image, mask: Image.Image, colour: RGB, shape: str) -> None:
    s = image.width
    draw, m = ImageDraw.Draw(image), ImageDraw.Draw(mask)
    _shadow(image, (s * 0.3, s * 0.68, s * 0.7, s * 0.76))
    white, dark = (248, 246, 242), _shade(colour, -0.35)
    if shape == "bottle":
        parts = [
            ((s * 0.38, s * 0.34, s * 0.62, s * 0.72), s * 0.05, colour),
            ((s * 0.45, s * 0.24, s * 0.55, s * 0.35), s * 0.02, white),
            ((s * 0.42, s * 0.18, s * 0.6, s * 0.25), s * 0.02, white),
            ((s * 0.41, s * 0.46, s * 0.59, s * 0.6), s * 0.02, white),
        ]
    elif shape == "roller":
        parts = [
            ((s * 0.3, s * 0.3, s * 0.7, s * 0.44), s * 0.07, white),
            ((s * 0.47, s * 0.42, s * 0.53, s * 0.72), s * 0.03, colour),
            ((s * 0.32, s * 0.32, s * 0.68, s * 0.42), s * 0.05, _shade(white, -0.04)),
        ]
    elif shape == "sticks":
        parts = [
            (
                (s * (0.26 + i * 0.1), s * 0.28, s * (0.33 + i * 0.1), s * 0.72),
                s * 0.035,
                _shade(colour, 0.1 * (i % 2)),
            )
            for i in range(5)
        ]
    else:  # brush
        parts = [
            ((s * 0.3, s * 0.4, s * 0.7, s * 0.56), s * 0.07, colour),
            ((s * 0.32, s * 0.54, s * 0.68, s * 0.6), s * 0.02, dark),
            ((s * 0.46, s * 0.22, s * 0.54, s * 0.42), s * 0.03, white),
        ]
    for box, radius, fill in parts:
        _rounded(draw, box, radius, fill)
        _rounded(m, box, radius, 255)


@lru_cache(maxsize=256)
def illustration(shape: str, swatch: str, fabric: str = "woven", size: int = 1200) -> bytes:
    """Return a JPEG illustration of ``shape`` in colour ``swatch`` (``#RRGGBB``)."""
    colour = hex_to_rgb(swatch)
    image = _background(size, colour)
    mask = Image.new("L", (size, size), 0)
    if shape in ("sofa", "armchair", "lshape"):
        seats = 1 if shape == "armchair" else 3
        _sofa(image, mask, colour, seats, chaise=shape == "lshape")
    elif shape == "recliner":
        _recliner(image, mask, colour)
    elif shape == "cushion":
        _cushion(image, mask, colour)
    else:
        _care(image, mask, colour, shape)
    kind = fabric if fabric in ("knit", "plush") else "woven"
    image = _apply_texture(image, mask.filter(ImageFilter.GaussianBlur(size / 600)), kind)
    _brand(image)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def _brand(image: Image.Image) -> None:
    size = image.width
    font = ImageFont.load_default(size=max(10, size // 40))
    ImageDraw.Draw(image).text(
        (size * 0.05, size * 0.93), "NUAN HOME", fill=(150, 140, 130), font=font
    )
