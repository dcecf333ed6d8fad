"""The Thai province list behind the address form."""

from __future__ import annotations

from tridex.accounts.provinces import PROVINCES, province_choices, province_name, province_resolve


def test_all_77_provinces_with_unique_codes_and_names():
    assert len(PROVINCES) == 77
    assert len({p.code for p in PROVINCES}) == 77
    assert len({p.name_th for p in PROVINCES}) == 77
    assert len({p.name_en for p in PROVINCES}) == 77


def test_resolve_codes_and_names():
    assert province_resolve("th-50").code == "TH-50"
    assert province_resolve("Chiang  Mai").code == "TH-50"
    assert province_resolve("จังหวัดเชียงใหม่").code == "TH-50"
    assert province_resolve("Narnia") is None
    assert province_resolve("") is None


def test_names_and_choices_per_language():
    assert province_name("TH-83", "th") == "ภูเก็ต"
    assert province_name("TH-83", "en") == "Phuket"
    english = [name for _code, name in province_choices("en")]
    assert english == sorted(english)
    thai = [name for _code, name in province_choices("th")]
    assert thai[0] == "กรุงเทพมหานคร"
    # Thai order ignores leading vowels: เชียงใหม่ (ช) comes before นครปฐม (น).
    assert thai.index("เชียงใหม่") < thai.index("นครปฐม")


def test_country_names_follow_the_language():
    from tridex.accounts.countries import country_choices, country_name

    assert country_name("GB", "th") == "สหราชอาณาจักร"
    assert country_name("GB", "en") == "United Kingdom"
    english = country_choices("en")
    assert english[0] == ("TH", "Thailand")
    assert english[1][0] == "AF"
    assert [code for code, _name in english].index("AX") < 5  # Åland Islands, under A
    assert country_choices("th")[0] == ("TH", "ไทย")
