from celery import shared_task

from tridex.markets.models import Market
from tridex.pricing.services import price_ranges_refresh


@shared_task(acks_late=True)
def refresh_market_price_ranges(market_id: int) -> int:
    """Recompute every product's price range in one market (idempotent)."""
    market = Market.objects.filter(pk=market_id).first()
    if market is None:
        return 0
    return price_ranges_refresh(markets=[market])


@shared_task(acks_late=True)
def refresh_all_price_ranges() -> int:
    """Recompute every product's price range in every market (idempotent)."""
    return price_ranges_refresh()
