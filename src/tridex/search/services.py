"""Writes to the search index: index some products, or rebuild the whole index.

Both are idempotent: a product's postings are replaced, never appended to, and a product that
is gone or unpublished loses its postings. Bulk inserts in large batches keep a rebuild of
100,000 products within a minute or two on SQLite.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest

from tridex.catalog.models import Category, OptionValue, Product, ProductType, Variant
from tridex.core.db import copy_rows
from tridex.search import listing_cache
from tridex.search.models import ListingOption, SearchIndexState, SearchPosting, SearchTerm
from tridex.search.text import document_terms

WEIGHT_NAME = 10
WEIGHT_CATEGORY = 4
WEIGHT_OPTION = 3
WEIGHT_DESCRIPTION = 1
MAX_WEIGHT = 32_767
CHUNK = 5_000
BATCH = 5_000

_PRODUCT_FIELDS = ("name", "description")


def _languages() -> list[str]:
    from django.conf import settings

    return [code for code, _ in settings.LANGUAGES]


class _Lookups:
    """Names of categories, product types and option values, in every language, loaded once."""

    def __init__(self) -> None:
        languages = _languages()
        fields = ["id", *(f"name_{code}" for code in languages)]
        self.categories = self._texts(Category.objects.values_list(*fields), languages)
        self.types = self._texts(ProductType.objects.values_list(*fields), languages)
        self.values = self._texts(OptionValue.objects.values_list(*fields), languages)
        self.value_options = dict(OptionValue.objects.values_list("id", "option_id"))

    @staticmethod
    def _texts(rows: Iterable[tuple], languages: list[str]) -> dict[int, str]:
        return {row[0]: " ".join(text for text in row[1:] if text) for row in rows}


def _product_weights(
    product: dict, value_ids: list[int], lookups: _Lookups, languages: list[str]
) -> dict[str, int]:
    """Term -> weight for one product: the sum of the weights of the fields it occurs in."""
    fields: list[tuple[str, int]] = [
        (" ".join(product[f"name_{code}"] or "" for code in languages), WEIGHT_NAME),
        (lookups.categories.get(product["category_id"], ""), WEIGHT_CATEGORY),
        (lookups.types.get(product["product_type_id"], ""), WEIGHT_CATEGORY),
        (" ".join(lookups.values.get(v, "") for v in value_ids), WEIGHT_OPTION),
        (" ".join(product[f"description_{code}"] or "" for code in languages), WEIGHT_DESCRIPTION),
    ]
    weights: dict[str, int] = defaultdict(int)
    for text, weight in fields:
        for term in _field_terms(text):
            weights[term] = min(weights[term] + weight, MAX_WEIGHT)
    return weights


@lru_cache(maxsize=50_000)
def _field_terms(text: str) -> frozenset[str]:
    """The distinct terms of one field's text, cached: categories, types, option values and
    descriptions repeat across many products, and Thai segmentation is the costly step."""
    return frozenset(document_terms(text))


def _option_values(product_ids: list[int]) -> dict[int, list[int]]:
    through = Variant.option_values.through
    rows = through.objects.filter(
        variant__product_id__in=product_ids, variant__is_active=True
    ).values_list("variant__product_id", "optionvalue_id")
    values: dict[int, dict[int, None]] = defaultdict(dict)
    for product_id, value_id in rows:
        values[product_id][value_id] = None  # ordered and distinct
    return {product_id: list(ids) for product_id, ids in values.items()}


def _term_ids(terms: set[str], known: dict[str, int]) -> bool:
    """Add ids of ``terms`` to ``known``, creating missing terms. True when any was created."""
    missing = [term for term in terms if term not in known]
    if not missing:
        return False
    for start in range(0, len(missing), 900):  # SQLite allows ~999 parameters per query
        part = missing[start : start + 900]
        known.update(SearchTerm.objects.filter(term__in=part).values_list("term", "id"))
    new = [term for term in missing if term not in known]
    if not new:
        return False
    SearchTerm.objects.bulk_create(
        [SearchTerm(term=term) for term in new], batch_size=BATCH, ignore_conflicts=True
    )
    for start in range(0, len(new), 900):
        part = new[start : start + 900]
        known.update(SearchTerm.objects.filter(term__in=part).values_list("term", "id"))
    return True


def _bump_version() -> None:
    updated = SearchIndexState.objects.filter(pk=1).update(
        vocabulary_version=F("vocabulary_version") + 1
    )
    if not updated:
        SearchIndexState.objects.get_or_create(pk=1, defaults={"vocabulary_version": 1})


def _index_chunk(
    product_ids: list[int], lookups: _Lookups, known: dict[str, int]
) -> tuple[bool, Counter[int]]:
    """Write postings of the published products among ``product_ids``.

    Returns whether terms were added, and how many of these products have each term. The
    caller has already deleted their old postings.
    """
    languages = _languages()
    fields = ["id", "category_id", "product_type_id"] + [
        f"{name}_{code}" for name in _PRODUCT_FIELDS for code in languages
    ]
    products = list(Product.objects.filter(pk__in=product_ids, is_published=True).values(*fields))
    values = _option_values([p["id"] for p in products])
    weights = {
        p["id"]: _product_weights(p, values.get(p["id"], []), lookups, languages) for p in products
    }
    added = _term_ids({term for w in weights.values() for term in w}, known)
    copy_rows(
        SearchPosting,
        ["term_id", "product_id", "weight"],
        (
            (known[term], product_id, weight)
            for product_id, terms in weights.items()
            for term, weight in terms.items()
        ),
    )
    copy_rows(
        ListingOption,
        ["product_id", "option_value_id", "option_id"],
        (
            (product_id, value_id, lookups.value_options[value_id])
            for product_id, value_ids in values.items()
            for value_id in value_ids
            if value_id in lookups.value_options
        ),
    )
    return added, Counter(known[term] for terms in weights.values() for term in terms)


def _add_to_frequencies(changes: Counter[int]) -> None:
    """Move terms' product counts by ``changes``: one UPDATE per distinct change (reindexing
    a product moves its terms by +1 or -1, so these are few)."""
    by_change: dict[int, list[int]] = defaultdict(list)
    for term_id, change in changes.items():
        if change:
            by_change[change].append(term_id)
    for change, term_ids in by_change.items():
        for start in range(0, len(term_ids), 900):  # SQLite's parameter limit
            SearchTerm.objects.filter(pk__in=term_ids[start : start + 900]).update(
                products=Greatest(F("products") + change, 0)
            )


def _count_frequencies() -> None:
    """Set every term's product count from its postings (one pass over the postings index)."""
    counted = (
        SearchPosting.objects.filter(term_id=OuterRef("pk"))
        .values("term_id")
        .annotate(products=Count("product_id"))
        .values("products")
    )
    SearchTerm.objects.update(products=Coalesce(Subquery(counted), 0))


def _invalidate_listings() -> None:
    """Drop cached listing counts now (tests, same transaction) and again once committed.

    The second bump discards counts another process cached from the old data meanwhile.
    """
    listing_cache.bump()
    transaction.on_commit(listing_cache.bump)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def search_index_products(*, product_ids: Iterable[int]) -> int:
    """Reindex the given products; gone or unpublished ones leave the index. Returns the count."""
    ids = sorted({int(pk) for pk in product_ids})
    if not ids:
        return 0
    lookups = _Lookups()
    known: dict[str, int] = {}
    added = False
    with transaction.atomic():
        for chunk in _chunks(ids):
            postings = SearchPosting.objects.filter(product_id__in=chunk)
            before = Counter(postings.values_list("term_id", flat=True))
            postings.delete()
            ListingOption.objects.filter(product_id__in=chunk).delete()
            chunk_added, after = _index_chunk(chunk, lookups, known)
            added = added or chunk_added
            after.subtract(before)
            _add_to_frequencies(after)
        if added:
            _bump_version()
        _invalidate_listings()
    return len(ids)


def search_index_rebuild() -> int:
    """Rebuild the whole index from the catalog and drop unused terms. Returns products indexed."""
    lookups = _Lookups()
    known = dict(SearchTerm.objects.values_list("term", "id"))
    ids = list(
        Product.objects.filter(is_published=True).order_by("pk").values_list("pk", flat=True)
    )
    with transaction.atomic():
        SearchPosting.objects.all().delete()
        ListingOption.objects.all().delete()
        for chunk in _chunks(ids):
            _index_chunk(chunk, lookups, known)
        _count_frequencies()
        # NOT EXISTS, an anti-join: PostgreSQL runs NOT IN (subquery) row by row once the
        # subquery outgrows work_mem, which took many minutes at 100,000 products.
        SearchTerm.objects.exclude(
            Exists(SearchPosting.objects.filter(term_id=OuterRef("pk")))
        ).delete()
        _bump_version()
        _invalidate_listings()
    return len(ids)
