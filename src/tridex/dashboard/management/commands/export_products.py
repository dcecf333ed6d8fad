"""``manage.py export_products FILE``: every product, one row per variant, as CSV or XLSX."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tridex.dashboard.services import products_export


class Command(BaseCommand):
    help = "Export products to a CSV or XLSX file (format from --format or the file's suffix)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=("csv", "xlsx"), default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        fmt = options["format"] or ("xlsx" if path.suffix.lower() == ".xlsx" else "csv")
        if not path.parent.is_dir():
            raise CommandError(_("No such directory: %(path)s") % {"path": path.parent})
        if fmt == "xlsx":
            with path.open("wb") as binary:
                products_export(stream=binary, fmt=fmt)
        else:
            with path.open("w", encoding="utf-8-sig", newline="") as text:
                products_export(stream=text, fmt=fmt)
        self.stdout.write(_("Exported products to %(path)s.") % {"path": path})
