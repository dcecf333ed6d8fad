"""Product reviews: anyone reads a product's shown reviews; a signed-in customer posts one.

Posting needs the customer's ``X-Session-Token`` (allauth's headless API) and is rate limited
per customer and per IP (``TRIDEX_RATE_LIMITS["review"]``).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from tridex.api.catalog import product_id_checked
from tridex.api.commerce import shopper
from tridex.api.schemas import ErrorOut, RatingOut, ReviewOut, ValidationErrorOut, review_out
from tridex.core.ratelimit import limit
from tridex.reviews.selectors import review_page
from tridex.reviews.services import BODY_MAX, TITLE_MAX, review_post

router = Router(tags=["reviews"])


class ReviewPageParams(Schema):
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(20, ge=1, le=100)


class ReviewPageOut(Schema):
    items: list[ReviewOut]
    total: int
    page: int
    page_size: int
    rating: RatingOut


class ReviewIn(Schema):
    rating: int = Field(..., ge=1, le=5, description="Stars from 1 to 5.")
    title: str = Field(..., min_length=1, max_length=TITLE_MAX)
    body: str = Field(..., min_length=1, max_length=BODY_MAX, description="The review's text.")


@router.get(
    "/products/{product_id}/reviews",
    response={200: ReviewPageOut, 404: ErrorOut, 422: ValidationErrorOut},
    operation_id="product_reviews_list",
    summary="List a product's reviews",
    description="The reviews staff have not hidden, newest first, with the average rating.",
)
def product_reviews_list(
    request: HttpRequest, product_id: Path[int], params: Query[ReviewPageParams]
) -> ReviewPageOut:
    offset = (params.page - 1) * params.page_size
    page = review_page(
        product_id=product_id_checked(product_id), offset=offset, limit=params.page_size
    )
    average = page.rating_average
    return ReviewPageOut(
        items=[review_out(r) for r in page.items],
        total=page.total,
        page=params.page,
        page_size=params.page_size,
        rating=RatingOut(
            average=None if average is None else format(average, "f"), count=page.rating_count
        ),
    )


@router.post(
    "/products/{product_id}/reviews",
    auth=shopper,
    response={
        201: ReviewOut,
        401: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
        429: ErrorOut,
    },
    operation_id="product_reviews_create",
    summary="Review a product",
    description="A signed-in customer reviews a product once; `verified_purchase` is true "
    "when they have a paid order with it. Shown at once; staff can hide it. Limited per "
    "customer and per IP: 429 with `Retry-After` when posting too often.",
)
def product_reviews_create(request: HttpRequest, product_id: Path[int], body: ReviewIn) -> Status:
    limit("review", request=request)
    review = review_post(
        customer=request.user,
        product_id=product_id_checked(product_id),
        rating=body.rating,
        title=body.title,
        body=body.body,
    )
    return Status(201, review_out(review))
