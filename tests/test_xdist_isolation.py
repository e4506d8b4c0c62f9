"""The suite's own plumbing: each pytest-xdist worker gets a Redis database of its own."""

import os

import pytest
from django.conf import settings
from django.core.cache import caches

from platform_core.celery import app as celery_app
from tests.helpers import xdist


def test_worker_redis_database_is_the_base_plus_the_worker_index() -> None:
    assert xdist.redis_url_for_worker("redis://127.0.0.1:6379/7", 0) == "redis://127.0.0.1:6379/7"
    assert xdist.redis_url_for_worker("redis://127.0.0.1:6379/7", 1) == "redis://127.0.0.1:6379/8"
    assert xdist.redis_url_for_worker("redis://:pw@redis:6379", 2) == "redis://:pw@redis:6379/2"
    with pytest.raises(RuntimeError, match="beyond"):
        xdist.redis_url_for_worker("redis://127.0.0.1:6379/15", 1)


@pytest.mark.redis
def test_this_worker_uses_its_own_redis_database_everywhere() -> None:
    index = xdist.worker_index()
    if index is None or xdist.BASE_REDIS_URL is None:
        pytest.skip("not under pytest-xdist")
    url = xdist.redis_url_for_worker(xdist.BASE_REDIS_URL, index)
    assert settings.REDIS_URL == os.environ["REDIS_URL"] == url  # the real Celery worker inherits it
    assert caches["default"]._servers == [url]  # type: ignore[attr-defined]
    assert celery_app.conf.broker_url == settings.CELERY_BROKER_URL == url
