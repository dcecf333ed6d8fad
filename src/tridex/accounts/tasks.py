from celery import shared_task

from tridex.accounts import services


@shared_task(acks_late=True)
def purge_login_history() -> int:
    """Delete sign-in history past TRIDEX_LOGIN_HISTORY_DAYS (scheduled daily)."""
    return services.login_history_purge()


@shared_task(acks_late=True)
def clear_expired_sessions() -> None:
    """Delete sessions past their store expiry from the database (scheduled daily)."""
    services.sessions_clear_expired()


@shared_task(acks_late=True)
def purge_login_lockouts() -> int:
    """Forget stale failed sign-ins (scheduled hourly)."""
    return services.login_lockouts_purge()
