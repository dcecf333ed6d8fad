"""Order jobs: thin, idempotent wrappers around ``orders`` services.

Acknowledged late, a job whose worker dies is delivered again; ``order_email_send`` records each
email once, so the rerun sends only what was not sent yet.
"""

from __future__ import annotations

from celery import shared_task

from tridex.core.errors import DomainError
from tridex.orders.emails import order_email_send


@shared_task(
    acks_late=True,
    autoretry_for=(Exception,),
    # A missing order or an unknown kind stays wrong however often it is retried.
    dont_autoretry_for=(DomainError,),
    retry_backoff=True,
    max_retries=5,
)
def send_order_email(order_id: int, kind: str, key: str = "") -> bool:
    """Send one email about an order (retried with backoff while the mail server fails)."""
    return order_email_send(order_id=order_id, kind=kind, key=key)
