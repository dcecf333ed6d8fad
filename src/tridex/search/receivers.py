"""Search follows the catalog: a changed product is reindexed once its change commits.

Small changes (an edit in the back office) are indexed right away in the process that made
them, so the product is searchable on the next request; large ones (an import) go to the
worker. Prices and stock are not stored in the index, so their events need no reaction here.
"""

from tridex.core.events import Event, subscribe
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
