from celery import shared_task

from tridex.accounts import services


@shared_task(acks_late=True)
def purge_login_lockouts() -> int:
    """Forget stale failed sign-ins (scheduled hourly)."""
    return services.login_lockouts_purge()
