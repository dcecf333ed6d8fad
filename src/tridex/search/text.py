"""Text processing shared by indexing and querying, so both sides produce the same terms.

Thai has no spaces between words, so Thai runs are segmented into words with pythainlp's
dictionary-based ``newmm`` engine (bundled dictionary, no downloads). Everything else is split
on non-word characters, lowercased and lightly stemmed (plural endings only: ``covers`` ->
``cover``), which is enough for product names and never turns a word into a different one.

Queries differ from documents in one way: spaces between Thai words are removed before
segmenting, so "ผ้าคลุมโซฟา กันน้ำ", "ผ้าคลุมโซฟากันน้ำ" and "ผ้าคลุม โซฟา กันน้ำ" give the
same terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

MAX_TERM_LENGTH = 64

_THAI_RUN = re.compile(r"[\u0E00-\u0E7F]+")
_THAI_CHAR = re.compile(r"[\u0E00-\u0E7F]")
_LATIN_WORD = re.compile(r"[^\W_]+")
# Whitespace between two Thai characters: a phrase break in Thai, not a word boundary.
_THAI_GAP = re.compile(r"(?<=[\u0E00-\u0E7F])\s+(?=[\u0E00-\u0E7F])")
# Only Thai marks that carry no meaning on their own (repetition sign, ellipsis).
_THAI_MARKS = {"ๆ", "ฯ"}

ENGLISH_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
    ]
)
# Deliberately short: pythainlp's list holds words such as "กัน" that matter in product names.
THAI_STOPWORDS = frozenset(["และ", "หรือ", "ของ", "ที่", "ใน", "กับ", "สำหรับ", "แบบ", "จาก"])


def is_thai(term: str) -> bool:
    return bool(_THAI_CHAR.search(term))


def stem(word: str) -> str:
    """Strip English plural endings: covers -> cover, couches -> couch, accessories -> accessory."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes", "zes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("s"):
        return word[:-1]
    return word


@lru_cache(maxsize=65_536)
def _segment_thai(run: str) -> tuple[str, ...]:
    """Segment one run of Thai characters; cached because catalogs repeat phrases a lot."""
    from pythainlp.tokenize import word_tokenize  # heavy import, only when Thai is met

    words = word_tokenize(run, engine="newmm", keep_whitespace=False)
    return tuple(w for w in (word.strip() for word in words) if w and w not in _THAI_MARKS)


def _latin_terms(text: str) -> list[str]:
    terms = []
    for word in _LATIN_WORD.findall(text.lower()):
        if word in ENGLISH_STOPWORDS:
            continue
        terms.append(stem(word)[:MAX_TERM_LENGTH])
    return terms


@dataclass(frozen=True)
class Token:
    """One term; Thai terms are only ever corrected towards other Thai terms."""

    term: str
    thai: bool


def tokens(text: str) -> list[Token]:
    """Terms of ``text`` in order, Thai runs segmented, other words lowercased and stemmed."""
    result: list[Token] = []
    position = 0
    for match in _THAI_RUN.finditer(text):
        result.extend(Token(term, False) for term in _latin_terms(text[position : match.start()]))
        for word in _segment_thai(match.group()):
            if word not in THAI_STOPWORDS:
                result.append(Token(word[:MAX_TERM_LENGTH], True))
        position = match.end()
    result.extend(Token(term, False) for term in _latin_terms(text[position:]))
    return result


def document_terms(text: str) -> list[str]:
    """Terms of a product field, for the index."""
    return [token.term for token in tokens(text or "")]


def query_tokens(text: str) -> list[Token]:
    """Terms of a search query; spaces inside Thai text are ignored (see the module docstring)."""
    return tokens(_THAI_GAP.sub("", text or ""))
