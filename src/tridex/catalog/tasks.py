"""Catalog background jobs: thin, idempotent wrappers around catalog services."""

from celery import shared_task

from tridex.catalog.models import ProductImage
from tridex.catalog.services import product_image_generate_renditions


@shared_task(acks_late=True)
def generate_image_renditions(image_id: int) -> int:
    """(Re)render one product image's renditions; returns how many widths exist (0 if gone).

    Rendition file names are fixed per image, width and format, so running it twice overwrites
    the same files and leaves the same ``renditions`` mapping.
    """
    image = ProductImage.objects.filter(pk=image_id).first()
    if image is None or not image.image:
        return 0
    image = product_image_generate_renditions(image=image)
    return len(image.renditions)
