"""The per-process vocabulary: query words -> term ids, with misspellings corrected.

Loaded once per process and reloaded only when ``SearchIndexState.vocabulary_version`` moves,
which costs one primary-key read per text search. Correction compares an unknown word only with
terms of the same script and of similar length, so it stays around a millisecond even with
tens of thousands of terms.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from tridex.search.models import SearchIndexState, SearchTerm
from tridex.search.text import Token, is_thai, query_tokens

# Below these similarity scores (0-100) a correction is more likely wrong than helpful.
LATIN_CUTOFF = 75.0
THAI_CUTOFF = 80.0
MIN_CORRECTABLE_LENGTH = 4
LENGTH_SLACK = 2


@dataclass
class _Vocabulary:
    version: int = -1
    ids: dict[str, int] = field(default_factory=dict)
    # term id -> products having it, as of loading (only the order of words depends on it)
    frequencies: dict[int, int] = field(default_factory=dict)
    # (is_thai, length) -> terms, the candidates for correcting a word of that script and length
    buckets: dict[tuple[bool, int], list[str]] = field(default_factory=dict)


_lock = threading.Lock()
_current = _Vocabulary()


@dataclass(frozen=True)
class ResolvedQuery:
    """What a query means to the index.

    ``term_ids`` is None when some word matches no term even after correction (so nothing can
    match every word); ``corrected`` is the query as understood when a word was corrected.
    """

    term_ids: list[int] | None
    corrected: str | None
    frequencies: dict[int, int] = field(default_factory=dict)

    def rarest_first(self) -> list[int]:
        """The term ids, fewest products first (ties by id, so the order is stable)."""
        ids = self.term_ids or []
        return sorted(ids, key=lambda term: (self.frequencies.get(term, 0), term))


def vocabulary_version() -> int:
    return (
        SearchIndexState.objects.filter(pk=1).values_list("vocabulary_version", flat=True).first()
        or 0
    )


def _load(version: int) -> _Vocabulary:
    vocabulary = _Vocabulary(version=version)
    rows = SearchTerm.objects.values_list("id", "term", "products")
    for term_id, term, products in rows.iterator(chunk_size=10_000):
        vocabulary.ids[term] = term_id
        vocabulary.frequencies[term_id] = products
        vocabulary.buckets.setdefault((is_thai(term), len(term)), []).append(term)
    return vocabulary


def _vocabulary() -> _Vocabulary:
    global _current
    version = vocabulary_version()
    if version != _current.version:
        with _lock:
            if version != _current.version:
                _current = _load(version)
    return _current


def reset() -> None:
    """Forget the loaded vocabulary (tests; the version check makes this unnecessary in use)."""
    global _current
    _current = _Vocabulary()


def _correct(token: Token, vocabulary: _Vocabulary) -> str | None:
    term = token.term
    if len(term) < MIN_CORRECTABLE_LENGTH or term.isdigit():
        return None
    candidates: list[str] = []
    for length in range(len(term) - LENGTH_SLACK, len(term) + LENGTH_SLACK + 1):
        candidates.extend(vocabulary.buckets.get((token.thai, length), ()))
    cutoff = THAI_CUTOFF if token.thai else LATIN_CUTOFF
    best = process.extractOne(term, candidates, scorer=fuzz.ratio, score_cutoff=cutoff)
    return best[0] if best else None


def resolve(query: str) -> ResolvedQuery:
    """Map the words of ``query`` to term ids, correcting unknown words to the nearest term."""
    tokens = query_tokens(query)
    if not tokens:
        return ResolvedQuery(term_ids=None, corrected=None)
    vocabulary = _vocabulary()
    ids: list[int] = []
    shown: list[Token] = []
    changed = False
    for token in tokens:
        term = token.term if token.term in vocabulary.ids else _correct(token, vocabulary)
        if term is None:
            return ResolvedQuery(term_ids=None, corrected=None)
        changed = changed or term != token.term
        shown.append(Token(term, token.thai))
        if vocabulary.ids[term] not in ids:
            ids.append(vocabulary.ids[term])
    return ResolvedQuery(
        term_ids=ids,
        corrected=_display(shown) if changed else None,
        frequencies={term: vocabulary.frequencies.get(term, 0) for term in ids},
    )


def _display(tokens: list[Token]) -> str:
    """Join terms back into a query: Thai words run together, other words take spaces."""
    text = ""
    previous_thai = False
    for token in tokens:
        glue = "" if not text or (token.thai and previous_thai) else " "
        text += glue + token.term
        previous_thai = token.thai
    return text
