"""Background reindexing: thin, idempotent wrappers around ``search.services``."""

from celery import shared_task

from tridex.search.services import search_index_products, search_index_rebuild


@shared_task(acks_late=True)
def reindex_products(product_ids: list[int]) -> int:
    """Reindex the given products (safe to run twice: postings are replaced)."""
    return search_index_products(product_ids=product_ids)


@shared_task(acks_late=True)
def rebuild_index() -> int:
    """Rebuild the whole search index from the catalog."""
    return search_index_rebuild()
