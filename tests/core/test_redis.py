import pytest
from django.conf import settings
from django.core.cache import caches


@pytest.mark.redis
def test_with_redis_url_the_cache_and_broker_are_redis():
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    cache = caches["default"]
    cache.set("tridex-test-key", {"n": 1}, 10)
    assert cache.get("tridex-test-key") == {"n": 1}
    cache.delete("tridex-test-key")


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_reaches_redis(client, real_task_queue):
    body = client.get("/readyz").json()
    assert body["checks"]["cache"] == {"ok": True, "detail": "RedisCache"}
    assert body["checks"]["broker"]["ok"] is True
    assert "redis" in body["checks"]["broker"]["detail"].lower()
