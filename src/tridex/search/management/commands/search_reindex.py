"""``manage.py search_reindex [--product ID ...]``: rebuild the search index or part of it."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tridex.search.services import search_index_products, search_index_rebuild


class Command(BaseCommand):
    help = "Rebuild the search index from the catalog (or reindex only the given products)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--product",
            type=int,
            action="append",
            dest="product_ids",
            metavar="ID",
            help="Reindex only this product id (repeatable).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if options["product_ids"]:
            count = search_index_products(product_ids=options["product_ids"])
        else:
            count = search_index_rebuild()
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} products in {seconds:.1f} s."))
