from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tridex.dashboard.permissions import matrix_markdown, permission_matrix


class Command(BaseCommand):
    help = "Write the staff permission matrix (docs/permissions.md) from the roles."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", default="docs/permissions.md")

    def handle(self, *args: Any, **options: Any) -> None:
        Path(options["output"]).write_text(matrix_markdown(permission_matrix()))
        self.stdout.write(f"Wrote {options['output']}.")
