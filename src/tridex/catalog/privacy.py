"""Personal data of reviews, for the privacy registry: a review is the person's own words
under their name, so erasure deletes it (through the service, so the product's rating
follows)."""

from typing import Any

from tridex.catalog.services import reviews_delete
from tridex.privacy.registry import Erasure, registry


def _erase_reviews(rows: list[Any]) -> None:
    reviews_delete(reviews=rows)


registry.register(
    "catalog.Review",
    owner="user",
    fields=("user", "author_name", "title", "body"),
    erasure=Erasure.DELETE,
    eraser=_erase_reviews,
)
