"""Index maintenance: idempotent reindexing, rebuild, vocabulary refresh, the command."""

from __future__ import annotations

from django.core.management import call_command

from tridex.search import vocabulary
from tridex.search.models import SearchIndexState, SearchPosting, SearchTerm
from tridex.search.selectors import product_listing
from tridex.search.services import search_index_products, search_index_rebuild
from tridex.search.types import ListingQuery


def total(market, text: str) -> int:
    return product_listing(market=market, query=ListingQuery(query=text)).total


def test_reindexing_is_idempotent(make_product):
    product = make_product(name_en="Waterproof sofa cover")
    search_index_products(product_ids=[product.pk])
    first = sorted(SearchPosting.objects.values_list("term__term", "weight"))
    search_index_products(product_ids=[product.pk, product.pk])
    assert sorted(SearchPosting.objects.values_list("term__term", "weight")) == first
    assert ("waterproof", 10) in first  # in the name
    assert ("ผ้าคลุม", 18) in first  # Thai name (10), category (4) and product type (4)


def test_terms_know_how_many_products_have_them(make_product):
    products = [make_product(name_en=f"Velvet cover {n}") for n in range(3)]
    search_index_rebuild()

    def frequency(term: str) -> int:
        return SearchTerm.objects.get(term=term).products

    assert frequency("velvet") == frequency("cover") == 3
    first = products[0]
    first.name_en = "Linen cover"
    first.save()
    for _ in range(2):  # reindexing moves the counts once, however often it runs
        search_index_products(product_ids=[first.pk])
        assert (frequency("velvet"), frequency("linen"), frequency("cover")) == (2, 1, 3)
    search_index_rebuild()
    assert (frequency("velvet"), frequency("linen"), frequency("cover")) == (2, 1, 3)


def test_a_deleted_product_leaves_the_index(make_product):
    product = make_product()
    search_index_products(product_ids=[product.pk])
    product_id = product.pk
    product.variants.all().delete()
    product.delete()
    assert search_index_products(product_ids=[product_id]) == 1
    assert not SearchPosting.objects.filter(product_id=product_id).exists()


def test_rebuild_indexes_published_products_and_drops_unused_terms(make_product):
    make_product(name_en="Linen cover")
    make_product(name_en="Secret cover", is_published=False)
    SearchTerm.objects.create(term="obsolete")
    assert search_index_rebuild() == 1
    terms = set(SearchTerm.objects.values_list("term", flat=True))
    assert "linen" in terms
    assert "secret" not in terms and "obsolete" not in terms


def test_new_terms_reach_a_process_with_an_older_vocabulary(market_th, make_product):
    make_product(name_en="Linen cover")
    search_index_rebuild()
    assert total(market_th, "velvet") == 0  # loads the vocabulary without "velvet"
    version = SearchIndexState.objects.get().vocabulary_version
    velvet = make_product(name_en="Velvet cover")
    search_index_products(product_ids=[velvet.pk])
    assert SearchIndexState.objects.get().vocabulary_version > version
    assert total(market_th, "velvet") == 1
    # Reindexing without new words leaves the version (and every process's vocabulary) alone.
    version = SearchIndexState.objects.get().vocabulary_version
    search_index_products(product_ids=[velvet.pk])
    assert SearchIndexState.objects.get().vocabulary_version == version


def test_vocabulary_is_loaded_once_per_version(market_th, make_product, django_assert_num_queries):
    make_product(name_en="Linen cover")
    search_index_rebuild()
    vocabulary.resolve("linen")
    with django_assert_num_queries(1):  # the version check only
        assert vocabulary.resolve("linnen").corrected == "linen"


def test_search_reindex_command(market_th, make_product, capsys):
    product = make_product(name_en="Velvet cover")
    call_command("search_reindex")
    assert "Indexed 1 products" in capsys.readouterr().out
    assert total(market_th, "velvet") == 1
    call_command("search_reindex", "--product", str(product.pk))
    assert total(market_th, "velvet") == 1


def test_receiver_is_subscribed():
    from tridex.core.events import subscribers
    from tridex.search.receivers import _product_changed

    assert _product_changed in subscribers("catalog.product_changed")
