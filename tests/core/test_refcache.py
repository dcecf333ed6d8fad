"""Per-process copies of reference tables: read once, dropped by any change, and caught up
by other processes within ``LOCAL_SECONDS``."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache

from tridex.core import refcache
from tridex.tax.models import TaxRate
from tridex.tax.selectors import tax_rate_for

pytestmark = pytest.mark.django_db


def test_a_table_is_read_once_and_a_change_is_seen_at_once(market_intl, django_assert_num_queries):
    rate = TaxRate.objects.create(market=market_intl, country="GB", name="VAT", rate=20)
    with django_assert_num_queries(1):
        assert tax_rate_for(market=market_intl, country="GB").rate == Decimal(20)
    with django_assert_num_queries(0):
        assert tax_rate_for(market=market_intl, country="GB").rate == Decimal(20)
    rate.rate = Decimal("17.5")
    rate.save()
    assert tax_rate_for(market=market_intl, country="GB").rate == Decimal("17.5")
    rate.delete()
    assert tax_rate_for(market=market_intl, country="GB").rate == market_intl.tax_rate


def test_another_process_change_is_picked_up_after_the_local_delay(monkeypatch):
    loads: list[int] = []
    table = refcache.TableCache("test-table", lambda: loads.append(1) or len(loads))
    assert table.get() == 1
    assert table.get() == 1  # within LOCAL_SECONDS: not even the shared token is read
    cache.set(table.key, "another process changed it", None)
    assert table.get() == 1
    monkeypatch.setattr(refcache, "LOCAL_SECONDS", 0.0)
    table._checked_until = 0.0  # as once LOCAL_SECONDS have passed
    assert table.get() == 2
    assert table.get() == 2  # the token matches now: no reload


def test_a_change_rolled_back_costs_a_reload_not_a_wrong_answer(market_intl):
    from django.db import transaction

    TaxRate.objects.create(market=market_intl, country="DE", name="VAT", rate=19)
    assert tax_rate_for(market=market_intl, country="DE").rate == Decimal(19)
    with pytest.raises(RuntimeError), transaction.atomic():
        TaxRate.objects.filter(country="DE").get().delete()
        raise RuntimeError
    assert tax_rate_for(market=market_intl, country="DE").rate == Decimal(19)
