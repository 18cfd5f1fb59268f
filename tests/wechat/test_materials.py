"""Permanent materials under lost answers: a cover is added once per account, found
again by its name (its content hash) with material/batchget_material; and the
emulator's material list, counts and article deletion behave like WeChat's."""

import httpx
import pytest

from wechat.errors import PermanentError, TransientError
from wechat.models import UploadedAsset
from tests.support.images import JPEG, PNG

pytestmark = pytest.mark.integration


def _materials_of(emulator, app_id):
    with emulator.state.lock:
        return [m for m in emulator.state.materials.values() if m["appid"] == app_id]


def test_a_cover_whose_answer_was_lost_is_found_not_added_again(wechat_client, wechat_emulator, app_id):
    # given the answer to the first add is lost after WeChat stored the material
    wechat_emulator.state.script(endpoint="material/add_material", lose_response=True)
    # when the cover is added
    material = wechat_client.add_cover(JPEG)
    # then the retry found the first upload by its name instead of adding a second one
    assert wechat_emulator.state.calls[app_id]["material/add_material"] == 1
    assert wechat_emulator.state.calls[app_id]["material/batchget_material"] == 1
    (stored,) = _materials_of(wechat_emulator, app_id)
    assert material.media_id and material.url == stored["url"]
    assert UploadedAsset.objects.get(app_id=app_id, kind="image").media_id == material.media_id


def test_a_run_that_gave_up_after_a_lost_answer_leaves_a_row_the_next_run_looks_up(
    make_client, wechat_emulator, app_id, db
):
    from wechat.retry import RetryPolicy

    # given a run that lost its answer and then gave up (one attempt only)
    client = make_client(app_id, retry=RetryPolicy(max_attempts=1, base_delay=0.001, cap=0.001))
    wechat_emulator.state.script(endpoint="material/add_material", lose_response=True)
    with pytest.raises(TransientError):
        client.add_cover(JPEG)
    assert UploadedAsset.objects.filter(app_id=app_id, kind="image", media_id="").exists()
    # when the job runs again
    material = client.add_cover(JPEG)
    # then it found the material the lost call had added
    assert wechat_emulator.state.calls[app_id]["material/add_material"] == 1
    assert [m["url"] for m in _materials_of(wechat_emulator, app_id)] == [material.url]


def test_a_refused_add_leaves_no_row(wechat_client, wechat_emulator, app_id):
    wechat_emulator.state.script(endpoint="material/add_material", errcode=-1, times=10)
    with pytest.raises(TransientError):
        wechat_client.add_cover(JPEG)
    assert not UploadedAsset.objects.filter(app_id=app_id).exists()


def test_with_lost_answers_every_account_holds_each_cover_exactly_once(db, make_client, wechat_emulator):
    # given ten accounts and three covers, with 30% of the answers lost
    wechat_emulator.state.configure(lose_response_rate=0.3, seed=11)
    covers = [JPEG + bytes([n]) for n in range(3)]
    clients = [make_client(f"wxdedupe{n:02d}") for n in range(10)]
    # when every account adds every cover (twice: a re-publish)
    for client in clients:
        for _ in range(2):
            for cover in covers:
                for attempt in range(5):  # the job's own retries, after the client's
                    try:
                        client.add_cover(cover)
                        break
                    except TransientError:
                        continue
    # then answers were lost, and each account holds each cover exactly once
    assert wechat_emulator.state.dropped > 0
    for client in clients:
        sizes = sorted(m["size"] for m in _materials_of(wechat_emulator, client.app_id))
        assert sizes == sorted(len(c) for c in covers), client.app_id


def test_material_list_and_counts_have_wechats_shapes(wechat_client, wechat_emulator, app_id):
    wechat_client.add_cover(JPEG)
    wechat_client.add_cover(PNG)
    wechat_client.add_cover(JPEG, kind="thumb")
    counts = wechat_client.material_count()
    assert counts == {"image_count": 3, "video_count": 0, "voice_count": 0, "news_count": 0}
    page = wechat_client._call("material/batchget_material", json_body={"type": "image", "offset": 0, "count": 2})
    assert page["total_count"] == 3 and page["item_count"] == 2
    assert set(page["item"][0]) == {"media_id", "name", "update_time", "url"}
    with pytest.raises(PermanentError) as refused:
        wechat_client._call("material/batchget_material", json_body={"type": "image", "offset": 0, "count": 21})
    assert refused.value.errcode == 40035


def _published(client, emulator, app_id, titles):
    media_id = client.add_cover(JPEG).media_id
    from wechat.payloads import Article

    articles = [Article(title=t, content=f"<p>{t}</p>", thumb_media_id=media_id) for t in titles]
    draft = client.add_draft(articles, idempotency_key="-".join(titles))
    submission = client.submit_publish(draft)
    return client.wait_for_publish(submission.publish_id, timeout=10, interval=0.05).article_id


def test_freepublish_delete_takes_down_the_whole_message_or_one_article(wechat_client, wechat_emulator, app_id):
    article_id = _published(wechat_client, wechat_emulator, app_id, ["第一篇", "第二篇"])
    # one article of the message
    assert wechat_client.delete_published(article_id, index=2) is True
    listed = {i["article_id"]: i for i in wechat_client.list_published()}
    assert [n.get("is_deleted", False) for n in listed[article_id]["content"]["news_item"]] == [False, True]
    # the whole message; deleting it again says it is gone
    assert wechat_client.delete_published(article_id) is True
    assert wechat_client.delete_published(article_id) is False
    assert article_id not in {i["article_id"] for i in wechat_client.list_published()}


def test_a_draft_of_nine_articles_is_refused_with_wechats_code(wechat_client, wechat_emulator, app_id):
    media_id = wechat_client.add_cover(JPEG).media_id
    articles = [{"title": f"第{n}篇", "content": "<p>正文</p>", "thumb_media_id": media_id} for n in range(9)]
    token = wechat_client.access_token()
    answer = httpx.post(f"{wechat_emulator.base_url}/cgi-bin/draft/add", params={"access_token": token},
                        json={"articles": articles}).json()
    assert answer["errcode"] == 45008


def test_control_deletes_an_article_behind_the_platforms_back(wechat_client, wechat_emulator, app_id):
    article_id = _published(wechat_client, wechat_emulator, app_id, ["后台删除"])
    answer = httpx.post(f"{wechat_emulator.base_url}/_emulator/control/articles/delete",
                        json={"appid": app_id, "article_id": article_id})
    assert answer.json()["errcode"] == 0
    assert wechat_client.list_published() == []
