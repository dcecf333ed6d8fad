"""The rate limiter: counts per scope in the cache, refuses with 429 and Retry-After, and holds
across processes when the cache is Redis."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from tridex.core import ratelimit
from tridex.core.ratelimit import Rate, RateLimited, limit


def request_from(ip: str, user=None):
    request = RequestFactory().post("/", REMOTE_ADDR=ip)
    request.user = user or AnonymousUser()
    return request


@pytest.mark.parametrize(
    ("text", "rate"),
    [("10/5m", Rate(10, 300)), ("3/h", Rate(3, 3600)), (" 60 / s ", Rate(60, 1))],
)
def test_rates_read_count_and_period(text, rate):
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["", "10", "10/5", "0/m", "ten/m", "5/5w"])
def test_malformed_rates_are_refused(text):
    with pytest.raises(ValueError, match="not a rate"):
        Rate.parse(text)


def test_the_limit_refuses_once_spent_and_says_when_to_come_back(settings):
    settings.TRIDEX_RATE_LIMITS = {"search": {"ip": "3/h"}}
    for _n in range(3):
        limit("search", request=request_from("192.0.2.1"))

    with pytest.raises(RateLimited) as refused:
        limit("search", request=request_from("192.0.2.1"))

    assert 1 <= refused.value.retry_after <= 3600
    assert refused.value.status == 429
    assert refused.value.code == "rate_limited"
    limit("search", request=request_from("192.0.2.2"))  # another client has its own count


def test_user_scope_follows_the_account_across_addresses(settings, django_user_model, db):
    settings.TRIDEX_RATE_LIMITS = {"review": {"user": "2/h"}}
    user = django_user_model.objects.create_user(email="a@example.com", password="x")
    limit("review", request=request_from("192.0.2.1", user))
    limit("review", request=request_from("192.0.2.2", user))
    with pytest.raises(RateLimited):
        limit("review", request=request_from("192.0.2.3", user))
    limit("review", request=request_from("192.0.2.3"))  # a visitor has no user count


def test_account_scope_ignores_case_and_spaces(settings):
    settings.TRIDEX_RATE_LIMITS = {"login": {"account": "1/h"}}
    limit("login", request=request_from("192.0.2.1"), account="Nok@Example.com")
    with pytest.raises(RateLimited):
        limit("login", request=request_from("192.0.2.9"), account=" nok@example.com ")


def test_an_unknown_scope_is_a_configuration_error(settings):
    settings.TRIDEX_RATE_LIMITS = {"search": {"country": "1/m"}}
    with pytest.raises(ValueError, match="unknown rate limit scopes"):
        limit("search", request=request_from("192.0.2.1"))


def test_the_address_counted_is_the_one_trusted_proxies_saw(settings):
    settings.TRIDEX_TRUSTED_PROXY_HOPS = 1
    settings.TRIDEX_RATE_LIMITS = {"search": {"ip": "1/h"}}
    first = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.1")
    second = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.2")
    limit("search", request=first)
    limit("search", request=second)  # same proxy, different clients
    with pytest.raises(RateLimited):
        limit("search", request=first)


# --- Search: storefront page and API ---------------------------------------------------------


@pytest.fixture
def tight_search(settings):
    settings.TRIDEX_RATE_LIMITS = {**settings.TRIDEX_RATE_LIMITS, "search": {"ip": "2/h"}}


def test_storefront_search_answers_429_page_with_retry_after(client, tight_search, make_product):
    make_product(name_en="Velvet cover")
    for _n in range(2):
        assert client.get("/en/search/", {"q": "velvet"}).status_code == 200

    response = client.get("/en/search/", {"q": "velvet"})

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert "Too many attempts" in response.text
    assert client.get("/en/search/").status_code == 200  # the empty search page is free


def test_api_search_answers_429_json_with_retry_after(client, tight_search, make_product):
    make_product(name_en="Velvet cover")
    for _n in range(2):
        assert client.get("/api/v1/products", {"q": "velvet"}).status_code == 200

    response = client.get("/api/v1/products", {"q": "velvet"}, HTTP_ACCEPT_LANGUAGE="th")

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    body = response.json()
    assert body["code"] == "rate_limited"
    assert body["field"] is None
    assert body["message"].startswith("มี")  # translated
    assert client.get("/api/v1/products").status_code == 200  # browsing without q is free


# --- Across processes --------------------------------------------------------------------------

_OTHER_PROCESS = """
import sys
import django
django.setup()
from django.test import RequestFactory
from tridex.core import ratelimit
ratelimit.KEY_PREFIX = sys.argv[1]
try:
    ratelimit.limit("search", request=RequestFactory().get("/", REMOTE_ADDR="192.0.2.77"))
    print("allowed")
except ratelimit.RateLimited as exc:
    print(f"refused {exc.retry_after}")
"""


def _in_another_process(settings) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tridex.config.settings",
        "TRIDEX_RATE_LIMITS": json.dumps({"search": {"ip": "3/h"}}),
    }
    done = subprocess.run(
        [sys.executable, "-c", _OTHER_PROCESS, ratelimit.KEY_PREFIX],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.redis
def test_the_count_is_shared_by_separate_processes_through_redis(settings):
    settings.TRIDEX_RATE_LIMITS = {"search": {"ip": "3/h"}}
    for _n in range(2):
        limit("search", request=request_from("192.0.2.77"))

    assert _in_another_process(settings) == "allowed"  # the third request, counted there
    with pytest.raises(RateLimited):
        limit("search", request=request_from("192.0.2.77"))  # the fourth, refused here
    assert _in_another_process(settings).startswith("refused")


@pytest.mark.redis
def test_clearing_the_cache_leaves_other_prefixes_alone(settings):
    from django.core.cache import cache
    from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

    other = DjangoRedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"{cache.key_prefix}-other"})
    other.set("kept", 1, timeout=60)
    cache.set("dropped", 1, timeout=60)

    cache.clear()

    assert cache.get("dropped") is None
    assert other.get("kept") == 1
    other.delete("kept")


def test_a_mistyped_setting_fails_the_system_check(settings):
    from tridex.core.ratelimit import check_rate_limits

    assert check_rate_limits() == []
    settings.TRIDEX_RATE_LIMITS = {**settings.TRIDEX_RATE_LIMITS, "search": {"ip": "60 a minute"}}
    errors = check_rate_limits()
    assert [e.id for e in errors] == ["tridex.ratelimit.E001"]
    assert "search" in errors[0].msg
