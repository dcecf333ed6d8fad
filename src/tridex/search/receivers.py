"""Search follows the catalog: a changed product is reindexed once its change commits.

Small changes (an edit in the back office) are indexed right away in the process that made
them, so the product is searchable on the next request; large ones (an import) go to the
worker. Prices and stock are not stored in the index (listings read them live), but they do
change listing totals and facet counts, so their events drop the cached counts.
"""

from tridex.core.events import Event, subscribe
from tridex.search import listing_cache
from tridex.search.services import search_index_products
from tridex.search.tasks import reindex_products

INLINE_LIMIT = 200


@subscribe("catalog.product_changed")
def _product_changed(event: Event) -> None:
    product_ids = [int(pk) for pk in event.payload.get("product_ids") or ()]
    if not product_ids:
        return
    if len(product_ids) <= INLINE_LIMIT:
        search_index_products(product_ids=product_ids)
    else:
        reindex_products.delay(product_ids)


@subscribe("catalog.category_changed")
@subscribe("pricing.price_changed")
@subscribe("markets.rates_changed")
@subscribe("inventory.stock_changed")
def _counts_changed(event: Event) -> None:
    listing_cache.bump()
