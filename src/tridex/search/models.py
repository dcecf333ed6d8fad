"""The search index: an inverted index in plain tables, identical on SQLite and PostgreSQL.

Design, and why:

- ``SearchTerm`` is the vocabulary: one row per distinct term (a Thai word from pythainlp's
  segmentation, or a lowercased, lightly stemmed English word). Each process keeps the whole
  vocabulary in memory (``search.vocabulary``) to map query words to term ids without a query
  and to correct misspellings with rapidfuzz. The vocabulary is small (tens of thousands of
  rows even for 100,000 products) because product text repeats a lot.
- ``SearchPosting`` says "term T occurs in product P with weight W" — W sums the weights of the
  fields the term occurs in (name 10, category and product type 4, option values 3,
  description 1). Its primary key is ``(term, product)`` (no surrogate id), so a search for
  terms {t1..tn} is one range scan per term of that key, grouped by product: the products
  having all n terms, scored by the sum of their weights. Integer keys keep it narrow.
- ``SearchIndexState`` holds one number, bumped whenever the vocabulary changes. A process
  compares it (one primary-key read) before a text search and reloads its vocabulary only when
  it moved. It lives in the database rather than the cache because the embedded default runs
  the web server and the Celery worker as separate processes with per-process memory caches.

Only published products are indexed; whether a product is visible *now* (availability dates)
is checked at query time, since time passes without any event. Prices and stock are not in the
index — listings join ``pricing.ProductPriceRange`` and ``inventory.Stock`` live — so only
``catalog.product_changed`` triggers reindexing.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tridex.catalog.models import Option, OptionValue, Product


class SearchTerm(models.Model):
    term = models.CharField(_("term"), max_length=64, unique=True)
    # How many products have the term (document frequency). A text search walks its rarest
    # word's postings first; exact after a rebuild, kept within a few by incremental indexing.
    products = models.PositiveIntegerField(_("products"), default=0)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")

    def __str__(self) -> str:
        return self.term


class SearchPosting(models.Model):
    # The primary key is the lookup key: no surrogate id column, one index fewer to write.
    pk = models.CompositePrimaryKey("term", "product")
    # Leading column of the primary key, so no index of its own.
    term = models.ForeignKey(
        SearchTerm, on_delete=models.CASCADE, related_name="postings", db_index=False
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    weight = models.PositiveSmallIntegerField(_("weight"))

    class Meta:
        verbose_name = _("search posting")
        verbose_name_plural = _("search postings")
        indexes = [
            # A term's postings heaviest first: a text search reads only as many as a page
            # of candidates needs, without visiting the table (search.selectors).
            models.Index(fields=["term", "weight", "product"], name="search_posting_impact"),
        ]

    def __str__(self) -> str:
        return f"{self.term_id} → {self.product_id} ({self.weight})"


class ListingOption(models.Model):
    """Published product P has an active variant with option value V (of option O).

    The listing filters and counts facets on this narrow table instead of joining products,
    variants and their option values: one row per (product, value), so a facet count is a plain
    ``COUNT(*) ... GROUP BY option_value`` with no ``DISTINCT``. Kept current with the postings.
    """

    pk = models.CompositePrimaryKey("product", "option_value")
    # Leading column of the primary key (serves "does P have one of these values?").
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+", db_index=False)
    option_value = models.ForeignKey(OptionValue, on_delete=models.CASCADE, related_name="+")
    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        verbose_name = _("listing option")
        verbose_name_plural = _("listing options")
        indexes = [
            models.Index(fields=["option_value", "product"], name="search_listopt_value"),
            models.Index(fields=["option", "product"], name="search_listopt_option"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} → {self.option_value_id}"


class SearchIndexState(models.Model):
    """A single row; ``vocabulary_version`` changes whenever terms are added or removed."""

    vocabulary_version = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("search index state")
        verbose_name_plural = _("search index state")

    def __str__(self) -> str:
        return f"vocabulary v{self.vocabulary_version}"
