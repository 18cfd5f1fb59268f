"""The access token: fetched once for all workers, refreshed once when refused."""

import contextlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from wechat.client import WeChatClient
from wechat.errors import PermanentError
from wechat.models import AccessToken
from wechat.tokens import DatabaseTokenStore, RedisTokenStore

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def _all_at_once(count, work):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(work())
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


def test_token_is_fetched_once_and_reused_by_later_calls(wechat_client, wechat_emulator, app_id):
    # when
    for _ in range(3):
        wechat_client.count_drafts()
    # then
    assert wechat_emulator.state.stable_token_calls(app_id) == 1
    assert wechat_emulator.state.calls[app_id]["draft/count"] == 3


def test_concurrent_workers_with_redis_store_fetch_exactly_one_token(wechat_emulator, redis_client, token_prefix, app_id):
    # given: eight workers, each with its own store and client; WeChat answers slowly
    wechat_emulator.state.script(endpoint="stable_token", delay_ms=300)

    def work():
        store = RedisTokenStore(redis_client, prefix=token_prefix)
        with WeChatClient(app_id, "secret", wechat_emulator.base_url, store) as client:
            return client.access_token()

    # when
    tokens = _all_at_once(8, work)
    # then
    assert len(set(tokens)) == 1
    assert wechat_emulator.state.stable_token_calls(app_id) == 1


def test_concurrent_workers_with_database_store_fetch_exactly_one_token(transactional_db, wechat_emulator, app_id):
    # given
    wechat_emulator.state.script(endpoint="stable_token", delay_ms=300)

    def work():
        try:
            with WeChatClient(app_id, "secret", wechat_emulator.base_url, DatabaseTokenStore()) as client:
                return client.access_token()
        finally:
            connection.close()

    # when
    tokens = _all_at_once(6, work)
    # then
    assert len(set(tokens)) == 1
    assert wechat_emulator.state.stable_token_calls(app_id) == 1
    assert AccessToken.objects.filter(app_id=app_id).count() == 1


def test_concurrent_worker_processes_fetch_exactly_one_token(wechat_emulator, redis_url, token_prefix, app_id):
    # given: four processes that ask at the same moment, released once all are set up
    wechat_emulator.state.script(endpoint="stable_token", delay_ms=300)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.test"}
    args = [wechat_emulator.base_url, redis_url, token_prefix, app_id]
    workers = [
        subprocess.Popen([sys.executable, "-m", "tests.wechat.token_worker", *args], cwd=ROOT, env=env,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    ready = [worker.stdout.readline().strip() for worker in workers]  # "" if one died: see the assertion
    # when
    for worker in workers:
        with contextlib.suppress(BrokenPipeError):  # a dead worker: its stderr is asserted on
            worker.stdin.write("go\n")
            worker.stdin.flush()
    outputs = [worker.communicate(timeout=60) for worker in workers]
    # then
    assert all(worker.returncode == 0 for worker in workers), [err for _, err in outputs]
    assert ready == ["ready"] * 4
    assert len({out.strip() for out, _ in outputs}) == 1
    assert wechat_emulator.state.stable_token_calls(app_id) == 1


def test_expired_token_is_refreshed_once_and_the_call_retried(wechat_client, wechat_emulator, app_id, sleeps):
    # given
    wechat_client.count_drafts()
    wechat_emulator.state.expire_tokens(app_id)
    # when
    answer = wechat_client.count_drafts()
    # then
    assert answer == 0
    assert wechat_emulator.state.stable_token_calls(app_id) == 2
    assert wechat_emulator.state.calls[app_id]["stable_token(force_refresh)"] == 0
    assert sleeps == []


def test_token_replaced_elsewhere_is_fetched_again_without_forcing(wechat_client, wechat_emulator, app_id):
    # given: another system force-refreshed, so our cached token answers 40001
    wechat_client.count_drafts()
    wechat_emulator.state.invalidate_tokens(app_id)
    # when
    wechat_client.count_drafts()
    # then
    assert wechat_emulator.state.stable_token_calls(app_id) == 2
    assert wechat_emulator.state.calls[app_id]["stable_token(force_refresh)"] == 0


def test_token_refused_while_still_current_is_force_refreshed_once(wechat_client, wechat_emulator, app_id):
    # given: WeChat refuses (40001) the token stable_token keeps handing out
    wechat_client.count_drafts()
    wechat_emulator.state.script(endpoint="draft/count", errcode=40001)
    # when
    wechat_client.count_drafts()
    # then: one normal fetch returned the same token, one forced fetch replaced it
    assert wechat_emulator.state.stable_token_calls(app_id) == 3
    assert wechat_emulator.state.calls[app_id]["stable_token(force_refresh)"] == 1


def test_second_worker_reuses_the_token_the_first_worker_refreshed(db, make_client, wechat_emulator, app_id, token_store,
                                                                   redis_client, token_prefix):
    # given: two workers (two stores on the same Redis) holding the same token
    first = make_client(app_id)
    second = make_client(app_id, store=RedisTokenStore(redis_client, prefix=token_prefix))
    first.count_drafts()
    second.count_drafts()
    wechat_emulator.state.expire_tokens(app_id)
    # when: both find the token refused
    first.count_drafts()
    second.count_drafts()
    # then: only the first one fetched a new token
    assert wechat_emulator.state.stable_token_calls(app_id) == 2


def test_wrong_app_secret_fails_at_once(db, make_client, wechat_emulator, app_id, sleeps):
    # given
    wechat_emulator.state.register(app_id, secret="the-right-secret")
    client = make_client(app_id, secret="a-wrong-secret")
    # when
    with pytest.raises(PermanentError) as caught:
        client.access_token()
    # then
    assert caught.value.errcode == 40125
    assert wechat_emulator.state.stable_token_calls(app_id) == 1
    assert sleeps == []


def test_database_store_keeps_the_token_encrypted(db, make_client, app_id):
    # given
    client = make_client(app_id, store=DatabaseTokenStore())
    # when
    token = client.access_token()
    # then
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM wechat_accesstoken WHERE app_id = %s", [app_id])
        stored = cursor.fetchone()[0]
    assert token not in stored
    assert AccessToken.objects.get(app_id=app_id).token.reveal() == token


def test_token_near_its_end_is_kept_until_it_expires(db, make_client, wechat_emulator, app_id):
    # given: WeChat hands out tokens with 3 seconds to live, far below the refresh margin
    wechat_emulator.state.configure(token_ttl=3)
    client = make_client(app_id)
    first = client.access_token()
    # when: asked again in the second half of its life
    time.sleep(2)
    again = client.access_token()
    # then: WeChat was not asked again for the token it would hand out anyway
    assert again == first
    assert wechat_emulator.state.stable_token_calls(app_id) == 1
    # and once it expired, a new one is fetched
    time.sleep(1.2)
    assert client.access_token() != first
