from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tridex.audit.models import AuditArchive
from tridex.audit.services import audit_archive_check, audit_verify


class Command(BaseCommand):
    help = "Check the audit log's hash chain and archive files; name the first broken entry."

    def handle(self, *args: Any, **options: Any) -> None:
        for archive in AuditArchive.objects.all():
            if not audit_archive_check(archive):
                raise CommandError(f"Archive {archive.path} is missing or was changed.")
        report = audit_verify()
        if not report.ok:
            where = f"entry #{report.broken_id}" if report.broken_id else "the chain's end"
            raise CommandError(
                f"Audit chain broken at {where}: it {report.reason}"
                if report.broken_id
                else f"Audit chain broken at {where}: {report.reason}"
            )
        self.stdout.write(f"Audit chain intact: {report.checked} entries.")
