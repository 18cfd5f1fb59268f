"""PUBLISHJOBFINISH: WeChat's word that a freepublish job ended completes the
matching publication through callback.signals.publish_job_finished."""

import pytest

from callback.models import MessageLog
from callback.signals import publish_job_finished

from .conftest import event_xml

SUCCESS_INFO = (
    "<PublishEventInfo><publish_id>2247503051</publish_id><publish_status>0</publish_status>"
    "<article_id><![CDATA[b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvyWP4Hq4]]></article_id>"
    "<article_detail><count>1</count><item><idx>1</idx>"
    "<article_url><![CDATA[https://mp.weixin.qq.com/s/abc]]></article_url></item></article_detail>"
    "</PublishEventInfo>"
)
FAILURE_INFO = (
    "<PublishEventInfo><publish_id>2247503052</publish_id><publish_status>2</publish_status>"
    "<fail_idx>1</fail_idx><fail_idx>2</fail_idx></PublishEventInfo>"
)


@pytest.fixture
def received():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    publish_job_finished.connect(receiver, dispatch_uid="test-receiver")
    yield calls
    publish_job_finished.disconnect(dispatch_uid="test-receiver")


@pytest.mark.parametrize("mode", ["plain", "safe", "compatible"])
def test_successful_publish_job_is_signalled_once(mode, account, wechat, received):
    # given
    xml = event_xml("PUBLISHJOBFINISH", extra=SUCCESS_INFO, create_time=1_700_000_123)
    # when: delivered, then retried by WeChat
    first = wechat.post(xml, mode)
    retry = wechat.post(xml, mode)
    # then
    assert first.content == retry.content == b"success"
    assert received == [
        {
            "signal": publish_job_finished,
            "app_id": account.app_id,
            "account_code": account.code,
            "publish_id": "2247503051",
            "status": 0,
            "article_id": "b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvyWP4Hq4",
            "fail_idx": [],
            "article_urls": ["https://mp.weixin.qq.com/s/abc"],
        }
    ]
    log = MessageLog.objects.get()
    assert log.matched_kind == "publish_job" and log.matched_label == "2247503051"


def test_failed_publish_job_carries_the_failed_indexes(account, wechat, received):
    wechat.post(event_xml("PUBLISHJOBFINISH", extra=FAILURE_INFO), "safe")
    assert received[0]["status"] == 2 and received[0]["fail_idx"] == [1, 2] and received[0]["article_id"] == ""


def test_receiver_failure_answers_503_so_wechat_retries(account, wechat, received):
    # given: the publication cannot be updated the first time
    attempts = []

    def flaky(sender, **kwargs):
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("database busy")

    publish_job_finished.connect(flaky, dispatch_uid="test-flaky")
    try:
        xml = event_xml("PUBLISHJOBFINISH", extra=SUCCESS_INFO, create_time=1_700_000_200)
        # when
        first = wechat.post(xml)
        retry = wechat.post(xml)
    finally:
        publish_job_finished.disconnect(dispatch_uid="test-flaky")
    # then
    assert first.status_code == 503 and retry.status_code == 200
    assert len(attempts) == 2
    assert MessageLog.objects.count() == 1


def test_two_jobs_ending_in_the_same_second_are_both_signalled(account, wechat, received):
    # given: WeChat sends both events from mphelper with one CreateTime
    first = event_xml("PUBLISHJOBFINISH", extra=SUCCESS_INFO, create_time=1_700_000_300)
    second = event_xml("PUBLISHJOBFINISH", extra=FAILURE_INFO, create_time=1_700_000_300)
    # when
    wechat.post(first)
    wechat.post(second)
    # then
    assert [event["publish_id"] for event in received] == ["2247503051", "2247503052"]
