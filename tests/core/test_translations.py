"""The Thai catalogue is complete, consistent with its placeholders, compiled, and actually used.

A missing or fuzzy ``msgstr`` silently shows English on a Thai page, a changed placeholder makes
``%`` formatting crash at run time, and a stale ``.mo`` ships yesterday's wording: each of those
fails here instead of in front of a shopper.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

import tridex

LC_MESSAGES = Path(tridex.__file__).parent / "locale" / "th" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

# %(name)s / %(n)d, bare %s / %d, and str.format-style {name}; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@dataclass
class Entry:
    """One message of a .po file: enough of it to check a translation."""

    line: int
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)


def parse_po(path: Path) -> list[Entry]:
    """Read a .po file (no obsolete ``#~`` entries); keeps the header entry (empty msgid)."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] = ("msgid", 0)
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        starts_entry = line.startswith(("#", "msgctxt ", "msgid "))
        if entry is None or (starts_entry and entry.msgstr):  # the previous entry is complete
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line)
        if match:
            target = (match.group(1), int(match.group(2) or 0))
            text = ast.literal_eval(match.group(3))
            if target[0] == "msgstr":
                entry.msgstr.setdefault(target[1], "")
        elif line.startswith('"'):
            text = ast.literal_eval(line)
        else:
            raise AssertionError(f"{path.name}:{number}: cannot read {raw!r}")
        keyword, index = target
        if keyword == "msgstr":
            entry.msgstr[index] = entry.msgstr.get(index, "") + text
        elif keyword == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + text
        elif keyword == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + text
        else:
            entry.msgid += text
    return entries


def messages() -> list[Entry]:
    """The translatable messages, without the header entry."""
    return [entry for entry in parse_po(PO_PATH) if entry.msgid]


def label(entry: Entry) -> str:
    return f"django.po:{entry.line} {entry.msgid!r}"


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


def tags(text: str) -> list[str]:
    return sorted(tag.split()[0].rstrip(">") for tag in HTML_TAG.findall(text))


def test_the_parser_reads_plurals_contexts_and_continuation_lines(tmp_path):
    sample = tmp_path / "sample.po"
    sample.write_text(
        'msgid ""\nmsgstr ""\n"Language: th\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid ""\n"Hello "\n"%(name)s"\nmsgstr "สวัสดี"\n\n'
        'msgctxt "menu"\nmsgid "%(n)d item"\nmsgid_plural "%(n)d items"\nmsgstr[0] ""\n',
        encoding="utf-8",
    )
    header, hello, items = parse_po(sample)
    assert header.msgstr == {0: "Language: th\n"}
    assert (hello.msgid, hello.msgstr, hello.flags) == (
        "Hello %(name)s",
        {0: "สวัสดี"},
        {"fuzzy", "python-format"},
    )
    assert (items.msgctxt, items.msgid_plural, items.msgstr) == ("menu", "%(n)d items", {0: ""})


def test_the_catalogue_declares_thai_with_a_single_plural_form():
    header = parse_po(PO_PATH)[0]
    assert header.msgid == ""
    assert "Language: th\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstr[0]
    assert len(messages()) > 400  # the whole project, not an empty or truncated file


def test_every_message_is_translated_and_none_is_fuzzy():
    problems = []
    for entry in messages():
        if "fuzzy" in entry.flags:
            problems.append(f"{label(entry)} is fuzzy (ignored at run time)")
        expected = [0]  # Thai: nplurals=1
        if sorted(entry.msgstr) != expected or not all(s.strip() for s in entry.msgstr.values()):
            problems.append(f"{label(entry)} has no Thai translation")
    assert not problems, "\n".join(problems)


def test_translations_keep_the_placeholders_and_html_of_the_original():
    problems = []
    for entry in messages():
        originals = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        for translation in entry.msgstr.values():
            if placeholders(translation) not in [placeholders(o) for o in originals]:
                problems.append(f"{label(entry)}: placeholders differ in {translation!r}")
            if tags(translation) != tags(entry.msgid):
                problems.append(f"{label(entry)}: HTML tags differ in {translation!r}")
            stray = translation.replace("%%", "").count("%") - len(placeholders(translation))
            if "python-format" in entry.flags and stray:
                # A "%" that is neither "%%" nor a placeholder breaks "%" formatting.
                problems.append(f"{label(entry)}: stray % in {translation!r}")
    assert not problems, "\n".join(problems)


def test_the_compiled_catalogue_matches_the_po_file():
    assert MO_PATH.exists(), "run: cd src/tridex && django-admin compilemessages -l th"
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in messages():
        expected = entry.msgstr[0]
        if entry.msgid_plural is not None:
            for n in (1, 2, 5):
                if entry.msgctxt is None:
                    got = compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                else:
                    got = compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                if got != expected:
                    stale.append(f"{label(entry)} (n={n}): .mo has {got!r}")
        else:
            if entry.msgctxt is None:
                got = compiled.gettext(entry.msgid)
            else:
                got = compiled.pgettext(entry.msgctxt, entry.msgid)
            if got != expected:
                stale.append(f"{label(entry)}: .mo has {got!r}")
    assert not stale, "django.mo is out of date; recompile it:\n" + "\n".join(stale[:20])


# --- The translations reach the rendered pages -------------------------------------------------


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.django_db
def test_thai_home_page_is_in_thai(client, make_product):
    make_product(colours=("grey",), stock=2)
    html = page(client, "/th/")
    for thai in (
        "ผ้าคลุมโซฟาพรีเมียม",  # title
        "พอดีทุกตัว ใช้ได้ยาวนาน",  # hero eyebrow
        "เลือกซื้อตามหมวดหมู่",
        "สินค้ามาใหม่",
        "ทำไมต้อง Tridex",
        "ซักเครื่องได้",
        "ข้ามไปยังเนื้อหา",
        "รวม VAT 7% แล้ว",
        "ค้นหาผ้าคลุม เนื้อผ้า สี…",
    ):
        assert thai in html, thai
    for english in (
        "Made to fit",
        "Shop by category",
        "New arrivals",
        "Machine washable",
        "Skip to content",
        "Prices in THB",
        "Search covers",
    ):
        assert english not in html, english
    assert "Shop by category" in page(client, "/en/")  # the English page still says it


@pytest.mark.django_db
def test_thai_product_and_listing_labels_are_in_thai(client, make_product):
    product = make_product(colours=("grey", "blue"), stock=2)
    html = page(client, f"/th/p/{quote(product.slug_th)}/")
    for thai in ("เหลือเพียง 2 ชิ้น", "รวม VAT 7% แล้ว", "ยังไม่มีรีวิว", "รูปสินค้า"):
        assert thai in html, thai
    for english in ("Only 2 left", "No reviews yet", "Product photos", "incl. VAT"):
        assert english not in html, english

    listing = page(client, "/th/search/?q=zzzz")
    assert "ไม่พบสินค้าที่ตรงกับ “zzzz”" in listing
    assert "Nothing matches" not in listing


@pytest.mark.django_db
def test_thai_login_page_is_in_thai(client, market_th):
    html = page(client, "/th/account/login/")
    for thai in ("เข้าสู่ระบบ", "ลืมรหัสผ่าน?", "สมัครสมาชิก", "รหัสผ่าน"):
        assert thai in html, thai
    for english in ("Sign in", "Forgot your password?", "Create an account", "Skip to content"):
        assert english not in html, english
