"""The 77 provinces of Thailand (76 changwat and Bangkok), keyed by ISO 3166-2:TH code.

Addresses store the code rather than a name so that the same address reads correctly in Thai
and English, and so shipping zones and carriers can key on a value that never changes spelling.
"""

from __future__ import annotations

from typing import NamedTuple

from django.utils import translation
from pythainlp.util import collate


class Province(NamedTuple):
    code: str
    name_th: str
    name_en: str


PROVINCES: tuple[Province, ...] = (
    Province("TH-10", "กรุงเทพมหานคร", "Bangkok"),
    Province("TH-11", "สมุทรปราการ", "Samut Prakan"),
    Province("TH-12", "นนทบุรี", "Nonthaburi"),
    Province("TH-13", "ปทุมธานี", "Pathum Thani"),
    Province("TH-14", "พระนครศรีอยุธยา", "Phra Nakhon Si Ayutthaya"),
    Province("TH-15", "อ่างทอง", "Ang Thong"),
    Province("TH-16", "ลพบุรี", "Lopburi"),
    Province("TH-17", "สิงห์บุรี", "Sing Buri"),
    Province("TH-18", "ชัยนาท", "Chai Nat"),
    Province("TH-19", "สระบุรี", "Saraburi"),
    Province("TH-20", "ชลบุรี", "Chonburi"),
    Province("TH-21", "ระยอง", "Rayong"),
    Province("TH-22", "จันทบุรี", "Chanthaburi"),
    Province("TH-23", "ตราด", "Trat"),
    Province("TH-24", "ฉะเชิงเทรา", "Chachoengsao"),
    Province("TH-25", "ปราจีนบุรี", "Prachinburi"),
    Province("TH-26", "นครนายก", "Nakhon Nayok"),
    Province("TH-27", "สระแก้ว", "Sa Kaeo"),
    Province("TH-30", "นครราชสีมา", "Nakhon Ratchasima"),
    Province("TH-31", "บุรีรัมย์", "Buriram"),
    Province("TH-32", "สุรินทร์", "Surin"),
    Province("TH-33", "ศรีสะเกษ", "Sisaket"),
    Province("TH-34", "อุบลราชธานี", "Ubon Ratchathani"),
    Province("TH-35", "ยโสธร", "Yasothon"),
    Province("TH-36", "ชัยภูมิ", "Chaiyaphum"),
    Province("TH-37", "อำนาจเจริญ", "Amnat Charoen"),
    Province("TH-38", "บึงกาฬ", "Bueng Kan"),
    Province("TH-39", "หนองบัวลำภู", "Nong Bua Lamphu"),
    Province("TH-40", "ขอนแก่น", "Khon Kaen"),
    Province("TH-41", "อุดรธานี", "Udon Thani"),
    Province("TH-42", "เลย", "Loei"),
    Province("TH-43", "หนองคาย", "Nong Khai"),
    Province("TH-44", "มหาสารคาม", "Maha Sarakham"),
    Province("TH-45", "ร้อยเอ็ด", "Roi Et"),
    Province("TH-46", "กาฬสินธุ์", "Kalasin"),
    Province("TH-47", "สกลนคร", "Sakon Nakhon"),
    Province("TH-48", "นครพนม", "Nakhon Phanom"),
    Province("TH-49", "มุกดาหาร", "Mukdahan"),
    Province("TH-50", "เชียงใหม่", "Chiang Mai"),
    Province("TH-51", "ลำพูน", "Lamphun"),
    Province("TH-52", "ลำปาง", "Lampang"),
    Province("TH-53", "อุตรดิตถ์", "Uttaradit"),
    Province("TH-54", "แพร่", "Phrae"),
    Province("TH-55", "น่าน", "Nan"),
    Province("TH-56", "พะเยา", "Phayao"),
    Province("TH-57", "เชียงราย", "Chiang Rai"),
    Province("TH-58", "แม่ฮ่องสอน", "Mae Hong Son"),
    Province("TH-60", "นครสวรรค์", "Nakhon Sawan"),
    Province("TH-61", "อุทัยธานี", "Uthai Thani"),
    Province("TH-62", "กำแพงเพชร", "Kamphaeng Phet"),
    Province("TH-63", "ตาก", "Tak"),
    Province("TH-64", "สุโขทัย", "Sukhothai"),
    Province("TH-65", "พิษณุโลก", "Phitsanulok"),
    Province("TH-66", "พิจิตร", "Phichit"),
    Province("TH-67", "เพชรบูรณ์", "Phetchabun"),
    Province("TH-70", "ราชบุรี", "Ratchaburi"),
    Province("TH-71", "กาญจนบุรี", "Kanchanaburi"),
    Province("TH-72", "สุพรรณบุรี", "Suphan Buri"),
    Province("TH-73", "นครปฐม", "Nakhon Pathom"),
    Province("TH-74", "สมุทรสาคร", "Samut Sakhon"),
    Province("TH-75", "สมุทรสงคราม", "Samut Songkhram"),
    Province("TH-76", "เพชรบุรี", "Phetchaburi"),
    Province("TH-77", "ประจวบคีรีขันธ์", "Prachuap Khiri Khan"),
    Province("TH-80", "นครศรีธรรมราช", "Nakhon Si Thammarat"),
    Province("TH-81", "กระบี่", "Krabi"),
    Province("TH-82", "พังงา", "Phang Nga"),
    Province("TH-83", "ภูเก็ต", "Phuket"),
    Province("TH-84", "สุราษฎร์ธานี", "Surat Thani"),
    Province("TH-85", "ระนอง", "Ranong"),
    Province("TH-86", "ชุมพร", "Chumphon"),
    Province("TH-90", "สงขลา", "Songkhla"),
    Province("TH-91", "สตูล", "Satun"),
    Province("TH-92", "ตรัง", "Trang"),
    Province("TH-93", "พัทลุง", "Phatthalung"),
    Province("TH-94", "ปัตตานี", "Pattani"),
    Province("TH-95", "ยะลา", "Yala"),
    Province("TH-96", "นราธิวาส", "Narathiwat"),
)

_BY_CODE = {p.code: p for p in PROVINCES}
# Imports and API clients may send a name in either language, with or without the common
# "จังหวัด" (province) prefix; all of them resolve to the code.
_BY_NAME = {
    **{p.name_th: p for p in PROVINCES},
    **{p.name_en.casefold(): p for p in PROVINCES},
    "กรุงเทพฯ": _BY_CODE["TH-10"],
    "bangkok metropolis": _BY_CODE["TH-10"],
    "ayutthaya": _BY_CODE["TH-14"],
}


def province_resolve(value: str) -> Province | None:
    """Return the province a code or a Thai/English name refers to, or None."""
    value = " ".join(value.split())
    if not value:
        return None
    if value.upper() in _BY_CODE:
        return _BY_CODE[value.upper()]
    value = value.removeprefix("จังหวัด").strip()
    return _BY_NAME.get(value) or _BY_NAME.get(value.casefold())


def province_name(code: str, language: str | None = None) -> str:
    """The province's name in ``language`` (default: the active one); unknown codes pass through."""
    province = _BY_CODE.get(code)
    if province is None:
        return code
    language = language or translation.get_language() or "th"
    return province.name_th if language.startswith("th") else province.name_en


def province_choices(language: str | None = None) -> list[tuple[str, str]]:
    """(code, name) pairs sorted for a select in ``language``: Thai alphabetical or A-Z."""
    language = language or translation.get_language() or "th"
    pairs = [(p.code, province_name(p.code, language)) for p in PROVINCES]
    if language.startswith("th"):
        # Thai dictionary order skips leading vowels (เชียงใหม่ files under ช), which plain
        # code-point sorting gets wrong. Bangkok comes first by convention (not a changwat).
        names = collate([name for _, name in pairs[1:]])
        by_name = {name: code for code, name in pairs}
        return [pairs[0], *((by_name[name], name) for name in names)]
    return sorted(pairs, key=lambda pair: pair[1])
