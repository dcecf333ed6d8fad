"""Payment jobs. Each is idempotent and acknowledged late: a worker killed mid-task leaves the
message to be delivered again, and the rerun finishes the same work instead of repeating it."""

from __future__ import annotations

from celery import shared_task

from tridex.payments import services


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def execute_refund(refund_id: int) -> str:
    """Send a pending refund to its provider (its idempotency key makes a rerun harmless)."""
    return services.refund_execute(refund_id=refund_id).status


@shared_task(acks_late=True)
def release_expired_reservations() -> int:
    """Give back the stock of checkouts whose hold expired (scheduled every minute)."""
    return services.payments_release_expired()
