"""Text processing: the same terms for indexing and querying, in Thai and English."""

from __future__ import annotations

import pytest

from tridex.search.text import document_terms, query_tokens, stem


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("covers", "cover"),
        ("couches", "couch"),
        ("accessories", "accessory"),
        ("boxes", "box"),
        ("cases", "case"),
        ("glass", "glass"),
        ("cactus", "cactus"),
        ("sofa", "sofa"),
        ("bus", "bus"),
    ],
)
def test_stem_strips_plural_endings_only(word, expected):
    assert stem(word) == expected


def test_english_is_lowercased_stemmed_and_stopwords_dropped():
    assert document_terms("Covers for the 3-Seat SOFAS (grey)") == [
        "cover",
        "3",
        "seat",
        "sofa",
        "grey",
    ]


def test_thai_is_segmented_without_whitespace_or_punctuation():
    assert document_terms("ผ้าคลุมโซฟากันน้ำ, 3 ที่นั่ง!") == ["ผ้าคลุม", "โซฟา", "กันน้ำ", "3", "ที่นั่ง"]


def test_thai_query_ignores_spaces_between_thai_words():
    joined = [t.term for t in query_tokens("ผ้าคลุมโซฟากันน้ำ")]
    assert [t.term for t in query_tokens("ผ้าคลุม โซฟา กันน้ำ")] == joined
    assert [t.term for t in query_tokens("ผ้าคลุมโซฟา  กันน้ำ")] == joined
    assert joined == document_terms("ผ้าคลุมโซฟากันน้ำ")


def test_mixed_script_query_keeps_both():
    tokens = query_tokens("ผ้าคลุม sofa")
    assert [(t.term, t.thai) for t in tokens] == [("ผ้าคลุม", True), ("sofa", False)]
