from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tridex.accounts.services import roles_sync


class Command(BaseCommand):
    help = "Create the staff roles that are missing (--reset: put every role back as defined)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        for name, count in roles_sync(reset=options["reset"]).items():
            self.stdout.write(f"{name}: {count} permissions")
