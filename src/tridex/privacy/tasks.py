"""Privacy jobs: thin, idempotent wrappers around ``privacy`` services.

``export_build`` does nothing for an export already built and ``export_link_send`` emails a
link once, so a redelivered job (acknowledged late) never builds or mails twice.
"""

from __future__ import annotations

from celery import shared_task

from tridex.core.errors import DomainError
from tridex.privacy import services


@shared_task(
    acks_late=True,
    autoretry_for=(Exception,),
    dont_autoretry_for=(DomainError,),
    retry_backoff=True,
    max_retries=5,
)
def build_export(request_id: int) -> bool:
    """Build a person's export and email them its link."""
    services.export_build(request_id=request_id)
    return services.export_link_send(request_id=request_id)


@shared_task(acks_late=True)
def erase_due_accounts() -> int:
    """Erase the accounts whose deletion grace period ended (scheduled daily)."""
    return len(services.erasure_run_due())


@shared_task(acks_late=True)
def purge_expired_exports() -> int:
    """Delete export files whose link expired (scheduled daily)."""
    return services.exports_purge()
