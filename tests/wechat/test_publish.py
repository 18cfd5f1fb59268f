"""Publishing: submit, poll until published or failed, PUBLISHJOBFINISH callback,
and never a second publication after a lost answer."""

import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from defusedxml import ElementTree

from wechat.client import Article
from wechat.errors import TransientError
from wechat.models import DraftRecord
from tests.support.emulator import free_port

pytestmark = pytest.mark.integration


@pytest.fixture
def draft(wechat_client, cover):
    article = Article("话费充值优惠", "<p>充100送10</p>", cover.media_id)
    return wechat_client.add_draft([article], idempotency_key="promo-1@v3")


@pytest.fixture
def callback_receiver():
    """An HTTP server recording the POSTs it receives: (path, query, body)."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            url = urlsplit(self.path)
            received.append((url.path, parse_qs(url.query), body.decode("utf-8")))
            self.send_response(200)
            self.send_header("Content-Length", "7")
            self.end_headers()
            self.wfile.write(b"success")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.received = received
    server.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


def _received(receiver, emulator, timeout=5.0):
    """The callbacks received; the emulator sends them just after the job finished."""
    deadline = time.monotonic() + timeout
    while not (receiver.received and emulator.state.callbacks) and time.monotonic() < deadline:
        time.sleep(0.02)
    return receiver.received


def test_submitted_draft_is_polled_until_published(wechat_client, wechat_emulator, app_id, draft):
    # given
    wechat_emulator.state.configure(publish_delay_ms=150)
    # when
    submission = wechat_client.submit_publish(draft)
    result = wechat_client.wait_for_publish(submission.publish_id, timeout=10, interval=0.05)
    # then
    assert result.succeeded and result.status_name == "published"
    assert result.article_id and result.article_urls[0].startswith(wechat_emulator.base_url)
    assert wechat_emulator.state.calls[app_id]["freepublish/get"] >= 2
    record = DraftRecord.objects.get(app_id=app_id, media_id=draft)
    assert (record.publish_id, record.state, record.article_id) == (submission.publish_id, "published", result.article_id)


def test_failed_publication_is_reported_with_its_status(wechat_client, wechat_emulator, app_id, draft):
    # given: the platform review rejects the first article
    wechat_emulator.state.configure(publish_delay_ms=20)
    wechat_emulator.state.script(endpoint="freepublish/result", publish_status=4, fail_idx=[1])
    # when
    result = wechat_client.wait_for_publish(wechat_client.submit_publish(draft).publish_id, timeout=10, interval=0.05)
    # then
    assert (result.status, result.status_name, result.fail_idx) == (4, "rejected_by_review", (1,))
    assert not result.succeeded and result.finished
    assert draft in wechat_emulator.state.drafts  # back in the draft box for a fix
    assert DraftRecord.objects.get(media_id=draft).state == "failed"
    # and once fixed, the draft can be submitted again
    again = wechat_client.submit_publish(draft)
    assert again.publish_id != result.publish_id
    assert wechat_client.wait_for_publish(again.publish_id, timeout=10, interval=0.05).succeeded
    assert wechat_emulator.state.calls[app_id]["freepublish/submit"] == 2


def test_submit_is_not_repeated_for_a_known_publish_id(wechat_client, wechat_emulator, app_id, draft):
    # when
    first = wechat_client.submit_publish(draft)
    second = wechat_client.submit_publish(draft)
    # then
    assert first.publish_id == second.publish_id
    assert wechat_emulator.state.calls[app_id]["freepublish/submit"] == 1


def test_lost_submit_answer_does_not_publish_twice(wechat_client, wechat_emulator, app_id, draft):
    # given: the submit reaches WeChat, its answer does not reach us
    wechat_emulator.state.configure(publish_delay_ms=10)
    wechat_emulator.state.script(endpoint="freepublish/submit", lose_response=True)
    # when
    submission = wechat_client.submit_publish(draft)
    # then: the client found the publication by the draft's marker instead of resubmitting
    assert wechat_emulator.state.calls[app_id]["freepublish/submit"] == 1
    assert len(wechat_emulator.state.jobs) == 1
    assert submission.result is not None and submission.result.succeeded
    assert submission.result.article_id in wechat_emulator.state.published
    assert DraftRecord.objects.get(media_id=draft).state == "published"


def test_still_publishing_after_the_timeout_is_transient(wechat_client, wechat_emulator, draft):
    # given
    wechat_emulator.state.configure(publish_delay_ms=60_000)
    publish_id = wechat_client.submit_publish(draft).publish_id
    # when / then
    with pytest.raises(TransientError):
        wechat_client.wait_for_publish(publish_id, timeout=0.2, interval=0.05)


def test_finished_job_sends_the_publishjobfinish_event_to_the_callback(wechat_client, wechat_emulator, app_id, draft,
                                                                       callback_receiver):
    # given: the account is known as code wx-sx-01 with a callback token
    wechat_emulator.state.configure(publish_delay_ms=10, callback_base=callback_receiver.base_url)
    wechat_emulator.state.register(app_id, code="wx-sx-01", original_id="gh_0123456789ab", callback_token="cbtoken")
    # when
    result = wechat_client.wait_for_publish(wechat_client.submit_publish(draft).publish_id, timeout=10, interval=0.05)
    # then
    ((path, query, body),) = _received(callback_receiver, wechat_emulator)
    assert path == "/wechat/wx-sx-01/"
    expected = hashlib.sha1("".join(sorted(["cbtoken", query["timestamp"][0], query["nonce"][0]])).encode()).hexdigest()
    assert query["signature"][0] == expected
    xml = ElementTree.fromstring(body)
    assert xml.findtext("ToUserName") == "gh_0123456789ab"
    assert xml.findtext("MsgType") == "event"
    assert xml.findtext("Event") == "PUBLISHJOBFINISH"
    assert xml.findtext("PublishEventInfo/publish_id") == result.publish_id
    assert xml.findtext("PublishEventInfo/publish_status") == "0"
    assert xml.findtext("PublishEventInfo/article_id") == result.article_id
    assert xml.findtext("PublishEventInfo/article_detail/item/article_url") == result.article_urls[0]
    assert wechat_emulator.state.callbacks[0]["http_status"] == 200


def test_failed_job_event_lists_the_failed_articles(wechat_client, wechat_emulator, app_id, draft, callback_receiver):
    # given
    wechat_emulator.state.configure(publish_delay_ms=60_000, callback_base=callback_receiver.base_url)
    publish_id = wechat_client.submit_publish(draft).publish_id
    # when: the job is finished by hand, as the demo's inspection controls do
    wechat_emulator.app.finish(publish_id, status=2, fail_idx=[1])
    # then
    ((path, _, body),) = _received(callback_receiver, wechat_emulator)
    xml = ElementTree.fromstring(body)
    assert path == f"/wechat/{app_id}/"
    assert xml.findtext("PublishEventInfo/publish_status") == "2"
    assert xml.findtext("PublishEventInfo/fail_idx") == "1"
