"""A Celery worker killed in the middle of a refund: the task runs again on another worker and
the customer gets their money back exactly once.

This drives real processes: a Celery worker on Redis, PostgreSQL shared with it, and the fake
Stripe in this process. The refund request reaches "Stripe", which makes the refund and then
holds its answer; the worker is killed (SIGKILL) while it waits. Because the task is
acknowledged late, Redis hands it to the next worker once the visibility timeout passes; that
worker sends the same idempotency key, Stripe replays its first answer, and Tridex records the
refund once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from tests.checkout.conftest import details
from tridex.cart.services import cart_add, cart_get_or_create
from tridex.checkout.services import checkout_place_order
from tridex.config.celery import app as celery_app
from tridex.inventory.services import stock_set
from tridex.orders.models import OrderStatus
from tridex.payments.gateways.base import GatewayStatus
from tridex.payments.models import Refund
from tridex.payments.services import payment_apply, payments_release_expired
from tridex.payments.tasks import execute_refund

BROKER_DB = 7  # a Redis database of its own, so no other worker sees these messages
VISIBILITY_SECONDS = 2


def _broker_url() -> str:
    base = os.environ["REDIS_URL"].rsplit("/", 1)[0]
    return f"{base}/{BROKER_DB}"


def _start_worker(queue: str, stripe_server, tmp_path: Path) -> subprocess.Popen[bytes]:
    db = connection.settings_dict
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{host}/{db['NAME']}",
        "CELERY_BROKER_URL": _broker_url(),
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_SECONDS),
        "STRIPE_SECRET_KEY": stripe_server.api_key,
        "STRIPE_WEBHOOK_SECRET": stripe_server.webhook_secret,
        "STRIPE_API_BASE": stripe_server.url,
        "SECRET_KEY": "worker-crash-test",
        "TRIDEX_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "tridex.config.settings",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "tridex.config", "worker",
        "--pool", "solo", "--queues", queue, "--without-gossip", "--without-mingle",
        "--without-heartbeat", "--loglevel", "WARNING",
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, start_new_session=True)


def _end_worker_sessions() -> None:
    """End the killed workers' database sessions, so the test database can be dropped at
    teardown. PostgreSQL notices a killed client on its own only when it next reads from it;
    during this test no one else uses this test database, so every other client session here
    is a worker's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"
        )


def _wait(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_refund_task_survives_its_worker_being_killed(
    commerce,
    stripe_settings,
    stripe_server,
    make_product,
    market_th,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    variant = make_product(price="1290", stock=1).variants.get()
    cart = cart_get_or_create(market=market_th)
    cart_add(cart=cart, variant_id=variant.pk, quantity=1)
    placed = checkout_place_order(
        cart=cart, market=market_th, details=details(payment_method="stripe")
    )
    # The hold expires and the last unit sells elsewhere; then the card payment succeeds.
    payments_release_expired(now=timezone.now() + timedelta(hours=1))
    stock_set(variant=variant, warehouse=variant.stocks.get().warehouse, quantity=0)
    stripe_server.succeed(placed.payment.external_id)
    with django_capture_on_commit_callbacks(execute=False):  # we queue the task ourselves
        payment_apply(payment=placed.payment, status=GatewayStatus.CAPTURED, source="test")
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.PENDING

    queue = f"crash-test-{uuid.uuid4().hex[:8]}"
    stripe_server.fail_next("timeout", delay=60)  # Stripe refunds, then holds its answer
    first = _start_worker(queue, stripe_server, tmp_path)
    second = None
    try:
        with celery_app.connection_for_write(_broker_url()) as conn:
            execute_refund.apply_async(args=[refund.pk], queue=queue, connection=conn)
        _wait(lambda: stripe_server.calls("POST", "/v1/refunds"), 60, "the refund request")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        refund.refresh_from_db()
        assert refund.status == Refund.Status.PENDING  # the first worker died before recording

        second = _start_worker(queue, stripe_server, tmp_path)
        _wait(
            lambda: Refund.objects.get(pk=refund.pk).status == Refund.Status.SUCCEEDED,
            90,
            "the rerun to record the refund",
        )
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
        _end_worker_sessions()

    calls = stripe_server.calls("POST", "/v1/refunds")
    assert len(calls) == 2  # the first call and its rerun …
    assert {c.idempotency_key for c in calls} == {refund.idempotency_key}
    assert len(stripe_server.refunds) == 1  # … made one refund at Stripe
    order = placed.order
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.refunded_amount == order.paid_amount
    assert Refund.objects.count() == 1
