"""PromptPay: the Thai national QR payment, as an EMVCo Merchant-Presented QR payload.

Every Thai banking app scans the same payload: a string of TLV fields (a two-digit tag, a
two-digit length, the value), ending with a CRC-16/CCITT-FALSE checksum of everything before
it. The shop's PromptPay ID (a mobile number, a national/tax ID or an e-wallet ID) goes in
tag 29; a QR with an amount is "dynamic" (one payment), without one it is "static" (reusable).

Pure functions: no database, no settings. References: EMVCo QR Code Specification for Payment
Systems, Merchant-Presented Mode v1.1; Bank of Thailand, Thai QR Code Payment Standard.
"""

from __future__ import annotations

import re

import segno
from django.utils.translation import gettext as _

from tridex.core.errors import ValidationFailed
from tridex.core.money import Money

PROMPTPAY_AID = "A000000677010111"  # application id of a PromptPay credit transfer
THB_NUMERIC = "764"  # ISO 4217 numeric code; PromptPay moves baht only
MAX_BILL_NUMBER = 25
_MAX_AMOUNT_CHARS = 13  # "9999999999.99"
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def crc16_ccitt(data: bytes) -> int:
    """Return CRC-16/CCITT-FALSE of ``data`` (poly 0x1021, init 0xFFFF, no reflection)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _bit in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
        crc &= 0xFFFF
    return crc


def tlv(tag: str, value: str) -> str:
    """Encode one EMVCo field: tag, two-digit length, value (at most 99 characters)."""
    if len(tag) != 2 or not 0 < len(value) <= 99:
        raise ValueError(f"cannot encode tag {tag!r} with {len(value)} characters")
    return f"{tag}{len(value):02d}{value}"


def promptpay_payload(*, target: str, amount: Money | None, reference: str = "") -> str:
    """Build the QR payload that pays ``amount`` (or any amount, if None) to ``target``.

    ``target`` is the PromptPay ID: a Thai mobile number (``081-234-5678`` or ``+66…``), a
    13-digit national or tax ID, or a 15-digit e-wallet ID. ``reference`` becomes the bill
    number (tag 62/05) that shows in the payer's banking app and statement.
    """
    fields = [
        tlv("00", "01"),  # payload format indicator
        tlv("01", "11" if amount is None else "12"),  # static (reusable) or dynamic (one-time)
        tlv("29", tlv("00", PROMPTPAY_AID) + _account_field(target)),
        tlv("53", THB_NUMERIC),
    ]
    if amount is not None:
        fields.append(tlv("54", _amount_text(amount)))
    fields.append(tlv("58", "TH"))
    if reference:
        fields.append(tlv("62", tlv("05", _bill_number(reference))))
    body = "".join(fields) + "6304"  # the CRC covers its own tag and length
    return body + f"{crc16_ccitt(body.encode('ascii')):04X}"


def promptpay_qr_svg(payload: str, *, scale: int = 6, title: str = "") -> str:
    """Render ``payload`` as an inline SVG QR code (error correction M), titled for readers."""
    qr = segno.make_qr(payload, error="m", boost_error=False)
    svg = qr.svg_inline(scale=scale, title=title or _("PromptPay QR code"), svgclass="promptpay-qr")
    return svg.replace("<svg ", '<svg role="img" ', 1)


def _account_field(target: str) -> str:
    """Return the tag-29 sub-field naming the receiving account, after validating it."""
    digits = re.sub(r"[\s-]", "", target or "").translate(_THAI_DIGITS)
    if digits.startswith("+66"):
        digits = "0" + digits[3:]  # the international form of a Thai mobile number
    if not re.fullmatch(r"[0-9]+", digits):
        raise ValidationFailed(_("A PromptPay ID has digits only."), field="target")
    if re.fullmatch(r"0[1-9][0-9]{8}", digits):
        return tlv("01", "0066" + digits[1:])  # 13 characters: 00 66 and the number without 0
    if len(digits) == 13:
        if not _thai_id_checksum_ok(digits):
            raise ValidationFailed(
                _("This national or tax ID is not valid: check the digits."), field="target"
            )
        return tlv("02", digits)
    if len(digits) == 15:
        return tlv("03", digits)
    raise ValidationFailed(
        _(
            "A PromptPay ID is a mobile number (10 digits), a national or tax ID (13 digits) "
            "or an e-wallet ID (15 digits)."
        ),
        field="target",
    )


def _thai_id_checksum_ok(digits: str) -> bool:
    """Check the last digit of a Thai national/tax ID (weights 13…2, modulo 11)."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits[:12]))
    return (11 - total % 11) % 10 == int(digits[12])


def _amount_text(amount: Money) -> str:
    if amount.currency != "THB":
        raise ValidationFailed(_("PromptPay accepts Thai baht only."), field="currency")
    if amount.amount <= 0:
        raise ValidationFailed(_("The amount must be more than zero."), field="amount")
    text = f"{amount.amount:.2f}"
    if len(text) > _MAX_AMOUNT_CHARS:
        raise ValidationFailed(_("The amount is too large for PromptPay."), field="amount")
    return text


def _bill_number(reference: str) -> str:
    if not re.fullmatch(rf"[A-Za-z0-9]{{1,{MAX_BILL_NUMBER}}}", reference):
        raise ValidationFailed(
            _("A PromptPay reference has up to 25 letters and digits."), field="reference"
        )
    return reference
