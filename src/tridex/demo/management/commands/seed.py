"""``manage.py seed``: load the Nuan Home reference shop, or a synthetic catalog of N products."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tridex.demo import content
from tridex.demo.loader import reset_demo_catalog, seed_reference_shop
from tridex.demo.scale import seed_scale


class Command(BaseCommand):
    help = (
        "Load the demo shop (idempotent). --reset wipes the demo catalog first; "
        "--scale N adds a synthetic catalog of N products for benchmarks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo catalog before loading."
        )
        parser.add_argument(
            "--scale",
            type=int,
            metavar="N",
            help="Create a synthetic catalog of N products (bulk insert, for benchmarks).",
        )
        parser.add_argument(
            "--image-size",
            type=int,
            default=1200,
            help="Side of the generated product illustrations in pixels (default 1200).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scale, size = options.get("scale"), options["image_size"]
        if scale is not None and not 1 <= scale <= 5_000_000:
            raise CommandError("--scale must be between 1 and 5,000,000.")
        if not 64 <= size <= 4000:
            raise CommandError("--image-size must be between 64 and 4000.")
        log = self.stdout.write
        if options["reset"]:
            reset_demo_catalog(log=log)
        if scale is not None:
            result = seed_scale(count=scale, log=log)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Synthetic catalog: {result['products']} products and {result['variants']} "
                    f"variants written in {result['seconds']}s."
                )
            )
            return
        summary = seed_reference_shop(image_size=size, log=log)
        lines = [
            f"{content.BRAND_EN} demo shop ready in {summary.seconds:.1f}s:",
            f"  products: {summary.products_created} created, "
            f"{summary.products_existing} already present",
            f"  variants: {summary.variants}, images: {summary.images}, "
            f"reviews: {summary.reviews} (new this run)",
            f"  customers: {summary.customers_created} created "
            f"(password for every demo customer: {content.DEMO_PASSWORD})",
        ]
        if summary.search_indexed is not None:
            lines.append(f"  search index: {summary.search_indexed} products indexed")
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
