"""Customers review products they can see: one review each, marked when they bought it.

The review itself is a ``catalog.Review`` (the catalog keeps the product's average rating in
step with its approved reviews); this domain adds what needs orders and the customer: who may
post, the verified-purchase mark, and the one-review-per-customer rule.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tridex.catalog.models import Review
from tridex.catalog.selectors import product_get_visible
from tridex.catalog.services import REVIEW_BODY_MAX, REVIEW_TITLE_MAX, review_create
from tridex.core.errors import DomainError, ValidationFailed
from tridex.orders.selectors import customer_bought_product

TITLE_MAX = REVIEW_TITLE_MAX
BODY_MAX = REVIEW_BODY_MAX


class SignInRequired(DomainError):
    code = "sign_in_required"
    status = 401


def review_post(*, customer: Any, product_id: int, rating: Any, title: str, body: str) -> Review:
    """Publish the customer's review of a visible product (shown at once; staff can hide it)."""
    if customer is None or not customer.is_authenticated or not customer.is_active:
        raise SignInRequired(_("Sign in to write a review."))
    product = product_get_visible(product_id=product_id)
    title = _required(title, field="title", limit=TITLE_MAX, message=_("Give your review a title."))
    body = _required(body, field="body", limit=BODY_MAX, message=_("Write a few words."))
    return review_create(
        product=product,
        rating=_whole_number(rating),
        title=title,
        body=body,
        user=customer,
        verified_purchase=customer_bought_product(user=customer, product_id=product.pk),
    )


def _whole_number(value: Any) -> Any:
    """A form's "5" as 5; anything else goes on to be refused by the catalog's own check."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def _required(value: object, *, field: str, limit: int, message: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationFailed(message, code="required", field=field)
    if len(text) > limit:
        raise ValidationFailed(
            _("At most %(limit)d characters.") % {"limit": limit}, code="too_long", field=field
        )
    return text
