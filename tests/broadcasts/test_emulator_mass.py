"""The WeChat client's mass-send calls against the emulator over HTTP: WeChat's
shapes, quotas and refusals, and no second send when an answer is lost."""

import pytest

from tests.support.images import PNG
from wechat.calls.mass import MassMessage
from wechat.client import Article
from wechat.emulator import mass as emulated_mass
from wechat.errors import LimitViolation, PermanentError

pytestmark = pytest.mark.integration


def jobs(emulator, app_id):
    with emulator.state.lock:
        return list(emulated_mass.book(emulator.state, app_id)["jobs"].values())


def set_followers(emulator, app_id, rows, kind=None):
    with emulator.state.lock:
        held = emulated_mass.book(emulator.state, app_id)
        held["followers"] = {
            openid: {"tags": tags, "fails": fails} for openid, tags, fails in rows
        }
        if kind:
            held["kind"] = kind


def test_a_lost_answer_is_retried_with_the_same_clientmsgid_and_sends_once(
    wechat_client, wechat_emulator, app_id
):
    # given: WeChat takes the send in, then the answer is lost
    wechat_emulator.state.script(
        endpoint="message/mass/sendall", appid=app_id, lose_response=True
    )
    # when
    submission = wechat_client.send_mass(
        MassMessage("text", content="话费八折"), clientmsgid="bc-1-1"
    )
    # then: the retry got 45065 with the first send's msg_id; followers received one message
    (job,) = jobs(wechat_emulator, app_id)
    assert submission.repeated and submission.msg_id == str(job["msg_id"])
    assert wechat_emulator.state.calls[app_id]["message/mass/sendall"] == 2


def test_a_tag_the_account_does_not_have_is_refused(
    wechat_client, wechat_emulator, app_id
):
    with pytest.raises(PermanentError) as refused:
        wechat_client.send_mass(
            MassMessage("text", content="你好"), clientmsgid="bc-2", tag_id=321
        )
    assert refused.value.errcode == 45159 and "标签不存在" in refused.value.reason
    assert jobs(wechat_emulator, app_id) == []


def test_a_tag_send_reaches_only_the_tagged_followers(
    wechat_client, wechat_emulator, app_id
):
    tag_id = wechat_client.ensure_tag("全球通")
    set_followers(
        wechat_emulator,
        app_id,
        [("oA", [tag_id], False), ("oB", [], False), ("oC", [tag_id], True)],
    )
    wechat_client.send_mass(
        MassMessage("text", content="全球通专享"), clientmsgid="bc-3", tag_id=tag_id
    )
    (job,) = jobs(wechat_emulator, app_id)
    assert (job["total"], job["filtered"], job["sent"], job["errors"]) == (2, 2, 1, 1)


def test_a_subscription_account_sends_once_a_day(
    wechat_client, wechat_emulator, app_id
):
    set_followers(wechat_emulator, app_id, [("oA", [], False)], kind="subscription")
    wechat_client.send_mass(MassMessage("text", content="第一条"), clientmsgid="bc-4-a")
    with pytest.raises(PermanentError) as refused:
        wechat_client.send_mass(
            MassMessage("text", content="第二条"), clientmsgid="bc-4-b"
        )
    assert refused.value.errcode == 45028
    assert len(jobs(wechat_emulator, app_id)) == 1


def test_a_service_account_follower_gets_four_a_month_then_is_filtered(
    wechat_client, wechat_emulator, app_id
):
    set_followers(wechat_emulator, app_id, [("oA", [], False)])
    for n in range(4):
        wechat_client.send_mass(
            MassMessage("text", content=f"第{n}条"), clientmsgid=f"bc-5-{n}"
        )
    with pytest.raises(PermanentError) as refused:
        wechat_client.send_mass(
            MassMessage("text", content="第五条"), clientmsgid="bc-5-5"
        )
    assert refused.value.errcode == 45028


def test_mpnews_needs_a_draft_of_the_account(
    wechat_client, make_client, wechat_emulator, app_id
):
    # given: a draft held by another account
    other = make_client("wxotheraccount000")
    cover = other.add_cover(PNG)
    media_id = other.add_draft(
        [Article("标题", "<p>正文</p>", cover.media_id)], idempotency_key="mass-draft"
    )
    # when / then
    with pytest.raises(PermanentError) as refused:
        wechat_client.send_mass(
            MassMessage("mpnews", media_id=media_id), clientmsgid="bc-6"
        )
    assert refused.value.errcode == 40007
    # and the owner sends it
    assert other.send_mass(
        MassMessage("mpnews", media_id=media_id), clientmsgid="bc-6"
    ).msg_id


def test_preview_goes_to_a_follower_only(wechat_client, wechat_emulator, app_id):
    set_followers(wechat_emulator, app_id, [("oTester", [], False)])
    assert wechat_client.preview_mass(
        MassMessage("text", content="预览"), touser="oTester"
    )
    with pytest.raises(PermanentError) as refused:
        wechat_client.preview_mass(
            MassMessage("text", content="预览"), touser="oStranger"
        )
    assert refused.value.errcode == 40003
    assert wechat_client.preview_mass(
        MassMessage("text", content="预览"), towxname="tester_wx"
    )


def test_bad_input_is_refused_before_calling_wechat(
    wechat_client, wechat_emulator, app_id
):
    with pytest.raises(LimitViolation) as too_long:
        wechat_client.send_mass(MassMessage("text", content="x"), clientmsgid="x" * 65)
    assert too_long.value.field == "clientmsgid"
    with pytest.raises(LimitViolation) as empty:
        wechat_client.send_mass(MassMessage("text", content="  "), clientmsgid="bc-7")
    assert empty.value.field == "text.content"
    assert wechat_emulator.state.calls[app_id]["message/mass/sendall"] == 0


def test_a_sent_message_is_deleted(wechat_client, wechat_emulator, app_id):
    msg_id = wechat_client.send_mass(
        MassMessage("text", content="删除我"), clientmsgid="bc-8"
    ).msg_id
    wechat_client.delete_mass(msg_id)
    assert wechat_client.get_mass(msg_id) == "DELETE"
    with pytest.raises(PermanentError):
        wechat_client.delete_mass(msg_id)
