from celery import shared_task

from tridex.audit import services


@shared_task(acks_late=True)
def archive_old_entries() -> int:
    """Move entries past their retention period to a file (scheduled daily)."""
    archive = services.audit_archive()
    return archive.count if archive else 0
