"""``manage.py import_products FILE``: the admin's product import, for large files and scripts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tridex.dashboard.services import products_import


class Command(BaseCommand):
    help = "Import products from a CSV or XLSX file (all rows, or none if any row is bad)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        with path.open("rb") as handle:
            report = products_import(file=handle, name=path.name, actor="command:import_products")
        if not report.ok:
            for error in report.errors:
                row = error.row or _("file")
                self.stderr.write(f"{_('row')} {row} [{error.field}]: {error.message}")
            if report.more_errors:
                self.stderr.write(_("… and %(n)d more problems.") % {"n": report.more_errors})
            raise CommandError(_("Nothing was imported."))
        self.stdout.write(
            _(
                "Imported %(rows)d rows: %(pc)d products created, %(pu)d updated; "
                "%(vc)d variants created, %(vu)d updated; %(ps)d prices set; %(ss)d stock lines."
            )
            % {
                "rows": report.rows,
                "pc": report.products_created,
                "pu": report.products_updated,
                "vc": report.variants_created,
                "vu": report.variants_updated,
                "ps": report.prices_set,
                "ss": report.stock_set,
            }
        )
