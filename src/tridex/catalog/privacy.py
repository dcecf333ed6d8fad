"""Personal data of reviews, for the privacy registry: a review is the person's own words
under their name, so erasure deletes it."""

from tridex.privacy.registry import Erasure, registry

registry.register(
    "catalog.Review",
    owner="user",
    fields=("user", "author_name", "title", "body"),
    erasure=Erasure.DELETE,
)
