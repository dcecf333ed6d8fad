"""Shipping writes: staff create and change methods (admin, API, demo) through these functions,
which validate the whole row first so a bad price or country list never reaches checkout."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tridex.core import events
from tridex.core.errors import Conflict, ValidationFailed
from tridex.markets.models import Market
from tridex.shipping.carriers import BANGKOK_METRO
from tridex.shipping.models import ShippingMethod

EDITABLE_FIELDS = frozenset(
    {
        "code",
        "name_th",
        "name_en",
        "description_th",
        "description_en",
        "countries",
        "base_price",
        "price_per_kg",
        "included_weight_grams",
        "free_above",
        "max_weight_grams",
        "min_days",
        "max_days",
        "carrier",
        "is_active",
        "position",
    }
)


def shipping_method_create(*, market: Market, code: str, **fields: Any) -> ShippingMethod:
    """Add a method to ``market``. ``fields`` are any of ``EDITABLE_FIELDS``."""
    method = ShippingMethod(market=market)
    return _save(method, {"code": code, **fields})


def shipping_method_update(*, method: ShippingMethod, **fields: Any) -> ShippingMethod:
    """Change some fields of ``method``; the others keep their values."""
    return _save(method, fields)


def _save(method: ShippingMethod, fields: dict[str, Any]) -> ShippingMethod:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Not editable shipping method fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(method, name, value)
    try:
        with transaction.atomic():
            _validate(method)
            method.save()
            events.emit("shipping.method_changed", method_id=method.pk, market_id=method.market_id)
    except IntegrityError:  # a concurrent write took the code between validation and save
        raise Conflict(
            _("This market already has a shipping method with this code."), field="code"
        ) from None
    return method


def _validate(method: ShippingMethod) -> None:
    """Run Django's validation and report the first problem as a domain error on its field."""
    taken = ShippingMethod.objects.filter(market_id=method.market_id, code=method.code)
    if method.code and taken.exclude(pk=method.pk).exists():
        raise ValidationFailed(
            _("This market already has a shipping method with this code."), field="code"
        )
    try:
        method.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValidationFailed(
            " ".join(messages), field=None if field == NON_FIELD_ERRORS else field
        ) from None


# The reference shop's methods per market code. Prices in the market's currency; Thai prices
# include VAT like the product prices. Same-day Bangkok is priced by the built-in postcode-zone
# carrier so that it is offered only to Bangkok and its neighbouring provinces.
DEMO_METHODS: dict[str, tuple[dict[str, Any], ...]] = {
    "th": (
        {
            "code": "standard",
            "name_th": "ส่งธรรมดา (Kerry/Flash)",
            "name_en": "Standard (Kerry/Flash)",
            "description_th": "ส่งทั่วประเทศพร้อมเลขพัสดุ ส่งฟรีเมื่อซื้อครบ 1,500 บาท",
            "description_en": "Tracked delivery nationwide; free on orders of 1,500 THB or more.",
            "base_price": Decimal("50"),
            "free_above": Decimal("1500"),
            "max_weight_grams": 30_000,
            "min_days": 1,
            "max_days": 3,
            "position": 0,
        },
        {
            "code": "express-bkk",
            "name_th": "ด่วนภายในวัน (กรุงเทพฯ และปริมณฑล)",
            "name_en": "Express same-day Bangkok",
            "description_th": "สั่งก่อน 14.00 น. รับของภายในวัน เฉพาะรหัสไปรษณีย์ 10xxx–12xxx",
            "description_en": "Order by 2 pm, delivered today; postcodes 10xxx–12xxx only.",
            "countries": ["TH"],
            "base_price": Decimal("150"),
            "max_weight_grams": 20_000,
            "min_days": 0,
            "max_days": 1,
            "carrier": BANGKOK_METRO,
            "position": 1,
        },
        {
            "code": "ems",
            "name_th": "EMS ไปรษณีย์ไทย (คิดตามน้ำหนัก)",
            "name_en": "Thailand Post EMS (by weight)",
            "description_th": "40 บาทสำหรับกิโลกรัมแรก และ 20 บาทต่อกิโลกรัมถัดไป",
            "description_en": "40 THB for the first kg, 20 THB for each further kg.",
            "base_price": Decimal("40"),
            "included_weight_grams": 1000,
            "price_per_kg": Decimal("20"),
            "max_weight_grams": 30_000,
            "min_days": 1,
            "max_days": 2,
            "position": 2,
        },
    ),
    "intl": (
        {
            "code": "intl-standard",
            "name_th": "ส่งต่างประเทศแบบมาตรฐาน",
            "name_en": "International standard",
            "description_th": "12 USD รวม 1 กก. แรก และ 6 USD ต่อกิโลกรัมถัดไป ส่งฟรีเมื่อซื้อครบ 250 USD",
            "description_en": "12 USD including the first kg, 6 USD per further kg; "
            "free on orders of 250 USD or more.",
            "base_price": Decimal("12"),
            "included_weight_grams": 1000,
            "price_per_kg": Decimal("6"),
            "free_above": Decimal("250"),
            "max_weight_grams": 20_000,
            "min_days": 7,
            "max_days": 14,
            "position": 0,
        },
        {
            "code": "intl-express",
            "name_th": "ส่งต่างประเทศแบบด่วน (DHL)",
            "name_en": "International express (DHL)",
            "description_th": "35 USD รวม 1 กก. แรก และ 10 USD ต่อกิโลกรัมถัดไป",
            "description_en": "35 USD including the first kg, 10 USD per further kg.",
            "base_price": Decimal("35"),
            "included_weight_grams": 1000,
            "price_per_kg": Decimal("10"),
            "max_weight_grams": 30_000,
            "min_days": 3,
            "max_days": 5,
            "position": 1,
        },
    ),
}


def shipping_seed_demo(*, markets: dict[str, Market]) -> int:
    """Create the reference shop's methods in the given markets; return how many were added.

    Idempotent: a method whose code already exists in its market is left as staff may have
    edited it. Market codes without demo methods are skipped.
    """
    created = 0
    with transaction.atomic():
        for market_code, specs in DEMO_METHODS.items():
            market = markets.get(market_code)
            if market is None:
                continue
            existing = set(
                ShippingMethod.objects.filter(market=market).values_list("code", flat=True)
            )
            for spec in specs:
                if spec["code"] not in existing:
                    shipping_method_create(market=market, **spec)
                    created += 1
    return created
