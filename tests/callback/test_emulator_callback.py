"""End to end over HTTP: the WeChat emulator finishes a publish job and POSTs the
PUBLISHJOBFINISH event to this endpoint, which signals publish_job_finished."""

import os
import time

import pytest

os.environ.setdefault("WECHAT_EMULATOR_PORTS", "18450-18499")

from content.services.accounts import set_secret  # noqa: E402
from callback.models import MessageLog  # noqa: E402
from callback.signals import publish_job_finished  # noqa: E402
from wechat.client import Article  # noqa: E402
from tests.support.images import PNG  # noqa: E402

pytestmark = pytest.mark.integration


@pytest.fixture
def redis_url():
    return os.environ.get("CALLBACK_TEST_REDIS_URL", "redis://127.0.0.1:6379/6")


@pytest.mark.django_db(transaction=True)
def test_emulator_publish_job_event_reaches_the_signal(live_server, matrix, wechat_emulator, make_client):
    # given: the account takes callbacks and the emulator knows its code and token
    account = matrix["account_branch1"]
    set_secret(account, "callback_token", "emulator-token")
    wechat_emulator.state.configure(publish_delay_ms=10, callback_base=live_server.url)
    wechat_emulator.state.register(account.app_id, code=account.code, original_id="gh_0123456789ab",
                                   callback_token="emulator-token")
    received = []
    publish_job_finished.connect(lambda sender, **kwargs: received.append(kwargs), weak=False, dispatch_uid="e2e")
    try:
        client = make_client(account.app_id)
        cover = client.add_cover(PNG)
        draft = client.add_draft([Article("话费充值优惠", "<p>充100送10</p>", cover.media_id)], idempotency_key="e2e@1")
        # when
        result = client.wait_for_publish(client.submit_publish(draft).publish_id, timeout=10, interval=0.05)
        deadline = time.monotonic() + 10
        while not wechat_emulator.state.callbacks and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        publish_job_finished.disconnect(dispatch_uid="e2e")
    # then
    assert wechat_emulator.state.callbacks[0]["http_status"] == 200
    (event,) = received
    assert event["app_id"] == account.app_id and event["account_code"] == account.code
    assert event["publish_id"] == result.publish_id and event["status"] == 0
    assert event["article_id"] == result.article_id and event["article_urls"] == list(result.article_urls)
    # the log row is written once the answer is on its way: give the server thread a moment
    deadline = time.monotonic() + 5
    while not MessageLog.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert MessageLog.objects.get().matched_kind == "publish_job"
