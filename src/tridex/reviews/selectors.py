"""Reads of reviews: a product's shown reviews page by page, and a customer's own review."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tridex.catalog.models import Review
from tridex.catalog.selectors import product_get_visible


@dataclass(frozen=True)
class ReviewPage:
    items: list[Review]
    total: int
    rating_average: Decimal | None
    rating_count: int


def review_page(*, product_id: int, offset: int = 0, limit: int = 20) -> ReviewPage:
    """The approved reviews of a visible product, newest first, in three queries."""
    product = product_get_visible(product_id=product_id)
    shown = Review.objects.filter(product=product, is_approved=True)
    items = list(shown.order_by("-created_at", "-id")[offset : offset + limit])
    return ReviewPage(
        items=items,
        total=shown.count(),
        rating_average=product.rating_average,
        rating_count=product.rating_count,
    )


def customer_review(*, user: Any, product_id: int) -> Review | None:
    """The customer's review of the product, shown or hidden, if they wrote one."""
    if user is None or not user.is_authenticated:
        return None
    return Review.objects.filter(product_id=product_id, user=user).first()
