"""WeChat's limits: checked by the client before calling (naming the field) and
enforced by the emulator with WeChat's codes."""

import httpx
import pytest

from wechat.client import Article
from wechat.errors import LimitViolation
from tests.support.images import JPEG, PNG

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "标" * 33}, "articles[0].title"),
        ({"title": ""}, "articles[0].title"),
        ({"author": "作" * 17}, "articles[0].author"),
        ({"digest": "摘" * 129}, "articles[0].digest"),
        ({"content": "字" * 20_000}, "articles[0].content"),
        ({"thumb_media_id": ""}, "articles[0].thumb_media_id"),
    ],
)
def test_draft_over_a_limit_is_refused_before_calling_naming_the_field(wechat_client, wechat_emulator, app_id, cover,
                                                                       changes, field):
    # given
    article = Article(**{"title": "标" * 32, "content": "<p>正文</p>", "thumb_media_id": cover.media_id,
                         "author": "作" * 16, "digest": "摘" * 128, **changes})
    # when
    with pytest.raises(LimitViolation) as caught:
        wechat_client.add_draft([article], idempotency_key="limit")
    # then
    assert caught.value.field == field
    assert field in str(caught.value)
    assert wechat_emulator.state.calls[app_id]["draft/add"] == 0


def test_article_at_every_limit_is_accepted(wechat_client, cover):
    # given
    article = Article("标" * 32, "字" * 19_900, cover.media_id, author="作" * 16, digest="摘" * 128)
    # when
    media_id = wechat_client.add_draft([article], idempotency_key="at-limits")
    # then
    assert media_id


@pytest.mark.parametrize(
    ("method", "data", "code"),
    [
        ("upload_body_image", b"GIF89a" + b"\x00" * 10, 40005),
        ("upload_body_image", PNG + b"\x00" * (1024 * 1024), 40009),
        ("add_thumb", JPEG + b"\x00" * (64 * 1024), 40012),
        ("add_thumb", PNG, 40005),
    ],
)
def test_image_over_a_limit_is_refused_before_uploading(wechat_client, wechat_emulator, app_id, method, data, code):
    # when
    with pytest.raises(LimitViolation) as caught:
        if method == "add_thumb":
            wechat_client.add_cover(data, kind="thumb")
        else:
            wechat_client.upload_body_image(data)
    # then
    assert caught.value.field == "media"
    assert caught.value.errcode == code
    assert sum(wechat_emulator.state.calls[app_id].values()) == 0


@pytest.mark.parametrize(
    ("changes", "errcode"),
    [
        ({"title": "标" * 33}, 45003),
        ({"author": "作" * 17}, 45110),
        ({"digest": "摘" * 129}, 45004),
        ({"content": "字" * 20_000}, 45002),
        ({"thumb_media_id": "unknown"}, 40007),
    ],
)
def test_emulator_answers_wechat_codes_for_drafts_over_a_limit(wechat_client, wechat_emulator, cover, changes, errcode):
    # given: a raw call that skips the client's own checks
    article = {"title": "标题", "content": "<p>正文</p>", "thumb_media_id": cover.media_id, **changes}
    token = wechat_client.access_token()
    # when
    answer = httpx.post(f"{wechat_emulator.base_url}/cgi-bin/draft/add", params={"access_token": token},
                        json={"articles": [article]}).json()
    # then
    assert answer["errcode"] == errcode


def test_emulator_refuses_body_images_that_are_not_jpg_or_png(wechat_client, wechat_emulator):
    # given
    token = wechat_client.access_token()
    # when
    answer = httpx.post(f"{wechat_emulator.base_url}/cgi-bin/media/uploadimg", params={"access_token": token},
                        files={"media": ("a.png", b"GIF89a-not-a-png", "image/png")}).json()
    # then
    assert answer["errcode"] == 40005
