from typing import Any

from django.core.management.base import BaseCommand

from tridex.audit.services import audit_archive


class Command(BaseCommand):
    help = "Move audit entries older than TRIDEX_AUDIT_RETENTION_DAYS to an archive file."

    def handle(self, *args: Any, **options: Any) -> None:
        archive = audit_archive()
        if archive is None:
            self.stdout.write("Nothing to archive.")
        else:
            self.stdout.write(f"Archived {archive.count} entries to {archive.path}.")
