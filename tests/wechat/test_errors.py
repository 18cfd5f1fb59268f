"""Retries with backoff on -1/45011, a pause on 45009, permanent errors at once."""

import logging
import random

import httpx
import pytest

from wechat import quota
from wechat.client import Article
from wechat.errors import DailyQuotaExceeded, PermanentError, TransientError
from wechat.models import AccountPause
from wechat.retry import RetryPolicy

pytestmark = pytest.mark.integration


def _count(client):
    return client.count_drafts()


@pytest.mark.parametrize("errcode", [-1, 45011])
def test_busy_and_minute_quota_answers_are_retried_with_jittered_backoff(wechat_client, wechat_emulator, app_id,
                                                                          sleeps, fast_retry, errcode):
    # given
    wechat_emulator.state.script(endpoint="draft/count", errcode=errcode, times=2)
    # when
    assert _count(wechat_client) == 0
    # then: two waits, each within its exponential ceiling
    assert wechat_emulator.state.calls[app_id]["draft/count"] == 3
    assert len(sleeps) == 2
    assert all(0 <= delay <= fast_retry.ceiling(n) for n, delay in enumerate(sleeps, start=1))


def test_transient_error_is_raised_after_the_last_attempt(wechat_client, wechat_emulator, app_id, sleeps):
    # given
    wechat_emulator.state.script(endpoint="draft/count", errcode=-1, times=10)
    # when
    with pytest.raises(TransientError) as caught:
        _count(wechat_client)
    # then
    assert caught.value.errcode == -1
    assert wechat_emulator.state.calls[app_id]["draft/count"] == 4
    assert len(sleeps) == 3


def test_random_busy_answers_are_absorbed_by_retries(wechat_client, wechat_emulator, app_id):
    # given: a third of the calls answer -1
    wechat_emulator.state.configure(fault_rate=0.33, seed=11)
    # when
    results = [_count(wechat_client) for _ in range(10)]
    # then
    assert results == [0] * 10
    assert wechat_emulator.state.calls[app_id]["draft/count"] > 10


def test_timeout_is_transient_and_retried(db, make_client, wechat_emulator, app_id, sleeps):
    # given: the first answer comes after the client gave up
    client = make_client(app_id, timeout=0.3)
    client.access_token()
    wechat_emulator.state.script(endpoint="draft/count", delay_ms=800)
    # when
    assert _count(client) == 0
    # then
    assert len(sleeps) == 1


def test_daily_quota_pauses_the_account_and_alerts_instead_of_retrying(wechat_client, wechat_emulator, app_id,
                                                                       sleeps, caplog):
    # given: one call a day
    wechat_emulator.state.configure(daily_quota={"draft/count": 1})
    alerts = []

    def receiver(sender, **kwargs):
        alerts.append(kwargs)

    quota.daily_quota_exceeded.connect(receiver)
    _count(wechat_client)
    try:
        # when
        with caplog.at_level(logging.ERROR, logger="wechat.alerts"):
            with pytest.raises(DailyQuotaExceeded) as caught:
                _count(wechat_client)
        # then: no retry, the account is paused until midnight in Beijing, an alert went out
        assert sleeps == []
        assert caught.value.errcode == 45009
        pause = AccountPause.objects.get(app_id=app_id)
        assert pause.paused_until == caught.value.paused_until
        assert pause.paused_until.astimezone(quota.BEIJING).hour == 0
        assert [alert["app_id"] for alert in alerts] == [app_id]
        assert "daily quota exhausted" in caplog.text
        # and the next call of the account does not reach WeChat at all
        with pytest.raises(DailyQuotaExceeded):
            wechat_client.get_draft("anything")
        assert wechat_emulator.state.calls[app_id]["draft/get"] == 0
    finally:
        quota.daily_quota_exceeded.disconnect(receiver)


def test_resumed_account_calls_wechat_again(wechat_client, wechat_emulator, app_id):
    # given
    quota.pause_account(app_id, "draft/count", "45009 test")
    with pytest.raises(DailyQuotaExceeded):
        _count(wechat_client)
    # when
    quota.resume_account(app_id)
    # then
    assert _count(wechat_client) == 0


@pytest.mark.parametrize(
    ("setup", "errcode"),
    [
        ({"unauthorized_apis": ["draft/get"]}, 48001),
        ({"unsupported_apis": ["draft/get"]}, 45103),
        ({}, 40007),
    ],
)
def test_permanent_errors_fail_at_once_with_the_reason(wechat_client, wechat_emulator, app_id, sleeps, setup, errcode):
    # given
    wechat_emulator.state.register(app_id, **setup)
    # when
    with pytest.raises(PermanentError) as caught:
        wechat_client.get_draft("no-such-draft")
    # then
    assert caught.value.errcode == errcode
    assert str(errcode) in caught.value.reason
    assert wechat_emulator.state.calls[app_id]["draft/get"] == 1
    assert sleeps == []


def test_menu_with_an_unlinked_mini_program_fails_at_once(wechat_client, wechat_emulator, app_id, sleeps):
    # given
    wechat_emulator.state.register(app_id, linked_miniprograms=["wxlinked"])
    menu = {"button": [{"type": "miniprogram", "name": "营业厅", "url": "https://m.example.cn",
                        "appid": "wxnotlinked", "pagepath": "pages/index"}]}
    # when
    with pytest.raises(PermanentError) as caught:
        wechat_client.create_menu(menu)
    # then
    assert caught.value.errcode == 45064
    assert "未关联的小程序" in caught.value.reason
    assert sleeps == []


def test_draft_with_a_cover_of_another_account_fails_with_invalid_media_id(wechat_client, sleeps):
    # when
    with pytest.raises(PermanentError) as caught:
        wechat_client.add_draft([Article("标题", "<p>正文</p>", "mat-of-someone-else")], idempotency_key="k1")
    # then
    assert caught.value.errcode == 40007
    assert sleeps == []


def test_retry_countdown_for_celery_stays_under_the_exponential_ceiling():
    # given
    policy = RetryPolicy(max_attempts=5, base_delay=2, cap=60, rng=random.Random(3))
    # when
    countdowns = [policy.countdown(retries) for retries in range(8) for _ in range(20)]
    # then
    assert all(1 <= c <= 60 for c in countdowns)
    assert max(policy.countdown(0) for _ in range(50)) <= 2
    assert len(set(countdowns)) > 5


def test_emulator_answers_45011_past_the_minute_quota(wechat_client, wechat_emulator):
    # given
    wechat_emulator.state.configure(minute_quota={"draft/count": 1})
    token = wechat_client.access_token()
    url = f"{wechat_emulator.base_url}/cgi-bin/draft/count"
    # when
    answers = [httpx.get(url, params={"access_token": token}).json() for _ in range(2)]
    # then
    assert answers[0]["total_count"] == 0
    assert answers[1]["errcode"] == 45011


def test_emulator_answers_47001_for_a_body_of_the_wrong_shape(wechat_client, wechat_emulator):
    token = wechat_client.access_token()
    answer = httpx.post(f"{wechat_emulator.base_url}/cgi-bin/draft/update", params={"access_token": token},
                        content=b"[1, 2]").json()
    assert answer["errcode"] == 47001
