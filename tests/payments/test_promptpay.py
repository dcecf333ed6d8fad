"""PromptPay QR payloads, checked against the EMVCo layout written out by hand and against
independent oracles: ``binascii.crc_hqx`` (CRC-16/CCITT-FALSE when seeded with 0xFFFF) and
payloads published by other PromptPay libraries."""

from __future__ import annotations

import binascii
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
import segno
from hypothesis import given
from hypothesis import strategies as st

from tridex.core.errors import ValidationFailed
from tridex.core.money import Money
from tridex.payments.gateways.promptpay import crc16_ccitt, promptpay_payload, promptpay_qr_svg

AID = "0016A000000677010111"  # tag 00, 16 characters, PromptPay's application id


def crc_oracle(text: str) -> str:
    return f"{binascii.crc_hqx(text.encode('ascii'), 0xFFFF):04X}"


def with_crc(body: str) -> str:
    """Close a hand-built payload the way the spec says: "6304" then the CRC over all of it."""
    return body + "6304" + crc_oracle(body + "6304")


def decode(text: str) -> dict[str, str]:
    """Split TLV fields (two-digit tag, two-digit length, value); refuse any leftover."""
    fields: dict[str, str] = {}
    while text:
        tag, length = text[:2], int(text[2:4])
        value = text[4 : 4 + length]
        assert len(value) == length, f"field {tag} is cut short"
        assert tag not in fields, f"field {tag} repeats"
        fields[tag] = value
        text = text[4 + length :]
    return fields


def thb(amount: str) -> Money:
    return Money(amount, "THB")


class TestCrc:
    def test_check_value_of_crc16_ccitt_false(self):
        assert crc16_ccitt(b"123456789") == 0x29B1

    @given(st.binary(max_size=300))
    def test_agrees_with_binascii(self, data):
        assert crc16_ccitt(data) == binascii.crc_hqx(data, 0xFFFF)

    @pytest.mark.parametrize(
        "published",
        [
            # From other libraries' documentation and tests (their field order differs from
            # ours, which EMVCo allows; only the checksum is compared).
            "00020101021129370016A000000677010111011300668999999995802TH53037646304FE29",
            "00020101021129370016A000000677010111011300668012345675802TH530376463046197",
            "00020101021229370016A000000677010111011300668123456785802TH53037645406100.006304BB8A",
        ],
    )
    def test_published_payloads_verify(self, published):
        assert f"{crc16_ccitt(published[:-4].encode()):04X}" == published[-4:]


class TestPayload:
    def test_phone_without_amount_is_a_static_qr(self):
        expected = with_crc(
            "000201"  # payload format 01
            "010211"  # static: may be paid many times
            "2937" + AID + "0113" + "0066812345678"  # mobile: 00 66 and the number without 0
            "5303764"  # baht
            "5802TH"
        )

        assert promptpay_payload(target="0812345678", amount=None) == expected

    def test_amount_makes_a_dynamic_qr(self):
        expected = with_crc(
            "000201" "010212" "2937" + AID + "01130066812345678" "5303764"
            "54071290.00"
            "5802TH"
        )  # fmt: skip

        assert promptpay_payload(target="081-234-5678", amount=thb("1290")) == expected

    def test_national_id_and_reference(self):
        expected = with_crc(
            "000201" "010212" "2937" + AID + "0213" + "1234567890121" + "5303764"
            "540599.50" "5802TH"
            "6214" "0510" "INV2024001"
        )  # fmt: skip

        payload = promptpay_payload(
            target="1-2345-67890-12-1", amount=thb("99.5"), reference="INV2024001"
        )

        assert payload == expected

    def test_e_wallet(self):
        expected = with_crc(
            "000201" "010211" "2939" + AID + "0315" + "004000006579718" + "5303764" "5802TH"
        )  # fmt: skip

        assert promptpay_payload(target="004000006579718", amount=None) == expected

    @pytest.mark.parametrize(
        "target", ["+66 81 234 5678", "+66812345678", "081 234 5678", "๐๘๑๒๓๔๕๖๗๘"]
    )
    def test_mobile_number_spellings(self, target):
        payload = promptpay_payload(target=target, amount=None)

        assert decode(decode(payload)["29"])["01"] == "0066812345678"

    @pytest.mark.parametrize(
        "target",
        [
            "",
            "abc",
            "08123",  # too short
            "081234567",  # nine digits
            "66812345678",  # eleven: country code without "+"
            "0012345678",  # no Thai number starts 00
            "1234567890122",  # national ID whose check digit is wrong
            "08l2345678",  # a letter l among the digits
            "0812345678\n1",
            "12345678901234567",
        ],
    )
    def test_invalid_target(self, target):
        with pytest.raises(ValidationFailed) as caught:
            promptpay_payload(target=target, amount=None)

        assert caught.value.field == "target"

    def test_only_baht(self):
        with pytest.raises(ValidationFailed) as caught:
            promptpay_payload(target="0812345678", amount=Money("10", "USD"))

        assert caught.value.field == "currency"

    @pytest.mark.parametrize("amount", ["0", "-5", "10000000000"])
    def test_amount_must_be_positive_and_fit(self, amount):
        with pytest.raises(ValidationFailed) as caught:
            promptpay_payload(target="0812345678", amount=thb(amount))

        assert caught.value.field == "amount"

    def test_largest_amount_fits_thirteen_characters(self):
        payload = promptpay_payload(target="0812345678", amount=thb("9999999999.99"))

        assert decode(payload)["54"] == "9999999999.99"

    @pytest.mark.parametrize("reference", ["INV-1", "x" * 26, "ใบแจ้งหนี้1", "A B"])
    def test_invalid_reference(self, reference):
        with pytest.raises(ValidationFailed) as caught:
            promptpay_payload(target="0812345678", amount=thb("1"), reference=reference)

        assert caught.value.field == "reference"


def national_ids() -> st.SearchStrategy[str]:
    """13-digit IDs with a correct check digit, computed here independently of the module."""

    def close(first12: str) -> str:
        weighted = sum(int(d) * w for d, w in zip(first12, range(13, 1, -1), strict=True))
        return first12 + str((11 - weighted % 11) % 10)

    return st.text("0123456789", min_size=12, max_size=12).map(close)


targets = st.one_of(
    st.tuples(st.just("01"), st.from_regex(r"0[689][0-9]{8}", fullmatch=True)),
    st.tuples(st.just("02"), national_ids()),
    st.tuples(st.just("03"), st.from_regex(r"[0-9]{15}", fullmatch=True)),
)
amounts = st.none() | st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2
)
references = st.from_regex(r"[A-Za-z0-9]{0,25}", fullmatch=True)


@given(target=targets, amount=amounts, reference=references)
def test_every_payload_verifies_and_decodes_back_to_its_fields(target, amount, reference):
    kind, value = target
    money = None if amount is None else thb(str(amount))

    payload = promptpay_payload(target=value, amount=money, reference=reference)

    assert payload[-4:] == crc_oracle(payload[:-4])
    fields = decode(payload)
    assert list(fields) == sorted(fields) and list(fields)[-1] == "63"
    assert (fields["00"], fields["53"], fields["58"]) == ("01", "764", "TH")
    assert fields["01"] == ("11" if money is None else "12")
    account = decode(fields["29"])
    assert account["00"] == "A000000677010111"
    expected_id = "0066" + value[1:] if kind == "01" else value
    assert account == {"00": "A000000677010111", kind: expected_id}
    assert fields.get("54") == (None if money is None else f"{money.amount:.2f}")
    assert ("62" in fields) == bool(reference)
    if reference:
        assert decode(fields["62"]) == {"05": reference}


class TestQrSvg:
    def test_is_inline_well_formed_svg_with_a_title(self):
        payload = promptpay_payload(target="0812345678", amount=thb("1290"))

        svg = promptpay_qr_svg(payload, scale=4)

        assert not svg.startswith("<?xml")
        root = ET.fromstring(svg)
        assert root.tag == "svg" and root.get("role") == "img"
        assert root[0].tag == "title" and root[0].text == "PromptPay QR code"
        path = root.find("path")
        assert path is not None and re.match(r"M\d", path.get("d", ""))
        size = segno.make_qr(payload, error="m", boost_error=False).symbol_size(scale=4)
        assert (int(root.get("width")), int(root.get("height"))) == size

    def test_title_can_be_given(self):
        svg = promptpay_qr_svg("000201", title="Pay ฿1,290 <now>")

        assert ET.fromstring(svg)[0].text == "Pay ฿1,290 <now>"
