"""The WeChat emulator over real HTTP (``wechat_emulator``), a Redis token store and a
WeChat client wired to both. Registered as a plugin by tests/conftest.py, so the
publishing and callback tests use the same fixtures as the WeChat client's own.
The emulator listens on a free port of ``WECHAT_EMULATOR_PORTS``."""

import os
import random
import time
import uuid

import pytest
import redis

from wechat.client import WeChatClient
from wechat.emulator import EmulatorServer
from wechat.retry import RetryPolicy
from wechat.tokens import RedisTokenStore

from tests.support.images import PNG


def emulator_ports():
    low, high = os.environ.get("WECHAT_EMULATOR_PORTS", "18100-18199").split("-")
    return range(int(low), int(high) + 1)


def free_port():
    """A port of the configured range nobody listens on."""
    import socket

    for port in emulator_ports():
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in WECHAT_EMULATOR_PORTS")


@pytest.fixture(scope="session")
def _wechat_emulator_server():
    for port in emulator_ports():
        try:
            server = EmulatorServer("127.0.0.1", port)
        except OSError:
            continue
        server.start()
        yield server
        server.stop()
        return
    raise RuntimeError("no free port for the WeChat emulator in WECHAT_EMULATOR_PORTS")


@pytest.fixture
def wechat_emulator(_wechat_emulator_server):
    """The emulator (``.base_url``, ``.state``, ``.app``), reset before and after each test."""
    _wechat_emulator_server.state.reset()
    yield _wechat_emulator_server
    _wechat_emulator_server.state.reset()


@pytest.fixture
def app_id():
    return f"wx{uuid.uuid4().hex[:16]}"


@pytest.fixture
def redis_url():
    return os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


@pytest.fixture
def redis_client(redis_url):
    client = redis.Redis.from_url(redis_url)
    client.ping()
    yield client
    client.close()


@pytest.fixture
def token_prefix(redis_client):
    prefix = f"test:wechat:{uuid.uuid4().hex[:8]}:"
    yield prefix
    for key in redis_client.scan_iter(f"{prefix}*"):
        redis_client.delete(key)


@pytest.fixture
def token_store(redis_client, token_prefix):
    return RedisTokenStore(redis_client, prefix=token_prefix)


@pytest.fixture
def fast_retry():
    return RetryPolicy(max_attempts=4, base_delay=0.002, cap=0.02, rng=random.Random(7))


class Sleeps(list):
    """Delays the client waited, in order (it still waits them)."""

    def sleep(self, seconds):
        self.append(seconds)
        time.sleep(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def make_client(wechat_emulator, token_store, fast_retry, sleeps):
    clients = []

    def make(app_id, secret="s3cr3t-app-secret-value", store=None, **kwargs):
        kwargs.setdefault("retry", fast_retry)
        kwargs.setdefault("sleep", sleeps.sleep)
        kwargs.setdefault("timeout", 5)
        client = WeChatClient(app_id, secret, wechat_emulator.base_url, store or token_store, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def wechat_client(db, make_client, app_id):
    return make_client(app_id)


@pytest.fixture
def cover(wechat_client):
    """A permanent cover image of the client's account."""
    return wechat_client.add_cover(PNG)
