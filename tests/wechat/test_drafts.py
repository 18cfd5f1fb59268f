"""Drafts: added at most once per idempotency key, even when the answer is lost."""

import pytest

from wechat.client import Article, draft_marker, marker_comment
from wechat.errors import PermanentError
from wechat.models import DraftRecord

pytestmark = pytest.mark.integration


def _article(cover, title="五月流量包上线", body="<p>正文</p>"):
    return Article(title, body, cover.media_id, author="省公司", digest="新套餐介绍")


def _drafts_of(emulator, app_id):
    return [d for d in emulator.state.drafts.values() if d["appid"] == app_id]


def test_draft_is_added_and_carries_the_body_image(wechat_client, wechat_emulator, app_id, cover):
    # given
    image_url = wechat_client.upload_body_image(b"\x89PNG\r\n\x1a\n" + b"\x02" * 40)
    body = f'<p>流量</p><img src="{image_url}"><img src="https://elsewhere.example/x.png">'
    # when
    media_id = wechat_client.add_draft([_article(cover, body=body)], idempotency_key="article-1@v1")
    # then
    (item,) = wechat_client.get_draft(media_id)
    assert item["title"] == "五月流量包上线"
    assert image_url in item["content"]
    assert "elsewhere.example" not in item["content"]  # WeChat drops images it did not host
    assert marker_comment(draft_marker(app_id, "article-1@v1")) in item["content"]


def test_same_key_returns_the_same_draft_without_calling_again(wechat_client, wechat_emulator, app_id, cover):
    # when
    first = wechat_client.add_draft([_article(cover)], idempotency_key="article-1@v1")
    second = wechat_client.add_draft([_article(cover)], idempotency_key="article-1@v1")
    # then
    assert first == second
    assert wechat_emulator.state.calls[app_id]["draft/add"] == 1


def test_lost_answer_after_the_draft_was_added_does_not_add_a_second_one(wechat_client, wechat_emulator, app_id, cover):
    # given: WeChat stores the draft, then the connection drops before the answer
    wechat_emulator.state.script(endpoint="draft/add", lose_response=True)
    # when
    media_id = wechat_client.add_draft([_article(cover)], idempotency_key="article-2@v1")
    # then
    assert wechat_emulator.state.dropped == 1
    assert wechat_emulator.state.calls[app_id]["draft/add"] == 1
    assert [media_id] == [k for k, d in wechat_emulator.state.drafts.items() if d["appid"] == app_id]
    record = DraftRecord.objects.get(app_id=app_id, idempotency_key="article-2@v1")
    assert (record.media_id, record.state, record.add_attempts) == (media_id, "drafted", 1)


def test_timed_out_answer_does_not_add_a_second_draft(db, make_client, wechat_emulator, app_id):
    # given: the answer comes after the client gave up waiting
    client = make_client(app_id, timeout=0.3)
    cover = client.add_cover(b"\x89PNG\r\n\x1a\n" + b"\x03" * 40)
    wechat_emulator.state.script(endpoint="draft/add", delay_ms=900)
    # when
    client.add_draft([_article(cover)], idempotency_key="article-3@v1")
    # then
    assert len(_drafts_of(wechat_emulator, app_id)) == 1


def test_many_lost_answers_never_duplicate_a_draft(wechat_client, wechat_emulator, app_id, cover):
    # given: half of the calls lose their answer
    wechat_emulator.state.configure(lose_response_rate=0.5, seed=5)
    # when
    for n in range(8):
        wechat_client.add_draft([_article(cover, title=f"第{n}期")], idempotency_key=f"issue-{n}")
    # then
    assert wechat_emulator.state.dropped > 0
    assert sorted(d["news_item"][0]["title"] for d in _drafts_of(wechat_emulator, app_id)) == [f"第{n}期" for n in range(8)]


def test_worker_restarted_after_sending_finds_the_draft_instead_of_adding_it(wechat_client, wechat_emulator, app_id,
                                                                            cover):
    # given: a worker died after draft/add reached WeChat, before it stored the answer
    wechat_emulator.state.script(endpoint="draft/add", lose_response=True)
    wechat_emulator.state.script(endpoint="draft/batchget", errcode=48001)
    with pytest.raises(PermanentError):
        wechat_client.add_draft([_article(cover)], idempotency_key="article-4@v1")
    assert DraftRecord.objects.get(idempotency_key="article-4@v1").add_attempts == 1
    # when: the job runs again
    media_id = wechat_client.add_draft([_article(cover)], idempotency_key="article-4@v1")
    # then
    assert wechat_emulator.state.calls[app_id]["draft/add"] == 1
    assert [d for d in wechat_emulator.state.drafts] == [media_id]


def test_updated_draft_keeps_its_marker(wechat_client, app_id, cover):
    # given
    media_id = wechat_client.add_draft([_article(cover)], idempotency_key="article-5@v1")
    # when
    wechat_client.update_draft(media_id, 0, _article(cover, title="五月流量包更新", body="<p>新正文</p>"))
    # then
    (item,) = wechat_client.get_draft(media_id)
    assert item["title"] == "五月流量包更新"
    assert wechat_client.find_draft("article-5@v1")["media_id"] == media_id
