"""Mass sends end to end in the worker's code (jobs run in the test process after
commit) against the emulator over HTTP: the preview gate, quotas, tags, duplicates
under lost answers, the finish event's counts and the deletion of a sent message."""

import pytest
from django.core.exceptions import ValidationError

from broadcasts.models import Broadcast, BroadcastSend, State
from broadcasts.services import jobs, sending
from broadcasts.services.quota import quota_for
from content.models import Brand
from menus.models import FollowerTag
from tests.support.content import committed
from wechat.emulator import mass as emulated_mass

from .conftest import approve, first_follower, followers, make_broadcast

pytestmark = pytest.mark.integration


def emulated_jobs(emulator, account):
    with emulator.state.lock:
        return list(emulated_mass.book(emulator.state, account.app_id)["jobs"].values())


def preview(broadcast, account, openid):
    with committed():
        row = sending.request_preview(broadcast, account, touser=openid)
    row.refresh_from_db()
    return row


def send(broadcast, user=None):
    with committed():
        sends = sending.start_send(broadcast, user)
    return [BroadcastSend.objects.get(pk=s.pk) for s in sends]


def refusal(broadcast):
    with pytest.raises(ValidationError) as refused:
        sending.start_send(broadcast)
    return " ".join(refused.value.messages)


@pytest.fixture
def text_broadcast(matrix, accounts):
    return make_broadcast(
        matrix["branch1"],
        [accounts["branch"]],
        kind=Broadcast.Kind.TEXT,
        text="话费八折,仅限本周",
    )


def test_a_broadcast_is_not_sent_before_a_preview_of_its_current_content(
    text_broadcast, accounts, wechat_emulator, branch_editor, branch_publisher
):
    account = accounts["branch"]
    # given: approved, not previewed
    broadcast = approve(text_broadcast, branch_editor, branch_publisher)
    assert "尚未预览成功" in refusal(broadcast)
    # when: previewed to a test follower
    row = preview(broadcast, account, first_follower(wechat_emulator, account))
    assert row.state == State.SENT and row.msg_id
    # then the send goes
    (sent,) = send(broadcast)
    assert sent.state == State.SUBMITTED and sent.msg_id
    # given: the text changes and the change is approved: the old preview no longer counts
    other = make_broadcast(
        broadcast.organisation, [account], kind=Broadcast.Kind.TEXT, text="旧文本"
    )
    other = approve(other, branch_editor, branch_publisher)
    preview(other, account, first_follower(wechat_emulator, account))
    other.text = "新文本"
    other = approve(other, branch_editor, branch_publisher)
    assert "尚未预览成功" in refusal(other)
    assert not other.sends.exists()


def test_a_preview_to_someone_who_does_not_follow_fails_with_wechats_reason(
    text_broadcast, accounts
):
    row = preview(text_broadcast, accounts["branch"], "oNotAFollower")
    assert row.state == State.FAILED and row.error.startswith("40003")
    with pytest.raises(ValidationError):
        sending.request_preview(text_broadcast, accounts["branch"], touser=" ")


def test_an_unapproved_broadcast_is_refused(text_broadcast):
    assert "尚未审核通过" in refusal(text_broadcast)


def test_over_quota_is_refused_with_the_account_and_nothing_is_queued(
    matrix, accounts, wechat_emulator, branch_editor, branch_publisher
):
    # given: the outlet's subscription account already mass sent today
    outlet = accounts["outlet"]
    first = make_broadcast(
        matrix["branch1"], [outlet], kind=Broadcast.Kind.TEXT, text="上午的群发"
    )
    first = approve(first, branch_editor, branch_publisher)
    preview(first, outlet, first_follower(wechat_emulator, outlet))
    send(first)
    assert not quota_for(outlet).allowed
    # when: a second broadcast goes to it and to the branch account
    second = make_broadcast(
        matrix["branch1"],
        [accounts["branch"], outlet],
        kind=Broadcast.Kind.TEXT,
        text="下午的群发",
    )
    second = approve(second, branch_editor, branch_publisher)
    preview(second, outlet, first_follower(wechat_emulator, outlet))
    message = refusal(second)
    # then: refused naming the account and its quota; no send on either account
    assert "wx-sx-01-01 没有群发额度" in message and "每天 1 次" in message
    assert not second.sends.exists()
    assert len(emulated_jobs(wechat_emulator, outlet)) == 1


def test_a_service_account_allows_four_sends_a_month_per_follower(matrix, accounts):
    branch = accounts["branch"]
    broadcast = make_broadcast(
        matrix["branch1"], [branch], kind=Broadcast.Kind.TEXT, text="x"
    )
    tag = 101
    for n in range(3):
        BroadcastSend.objects.create(
            broadcast=make_broadcast(
                matrix["branch1"], [branch], kind="text", text=str(n)
            ),
            account=branch,
            clientmsgid=f"q-{n}",
            state=State.SENT,
        )
    BroadcastSend.objects.create(
        broadcast=broadcast,
        account=branch,
        clientmsgid="q-tag",
        tag_id=tag,
        state=State.SENT,
    )
    refused = BroadcastSend.objects.create(
        broadcast=make_broadcast(matrix["branch1"], [branch], kind="text", text="r"),
        account=branch,
        clientmsgid="q-refused",
        state=State.FAILED,
    )
    assert refused.state == State.FAILED
    # three to everyone and one to the tag: the tag's followers have had four, the rest three
    assert not quota_for(branch, tag).allowed
    assert quota_for(branch, 999).remaining == 1
    assert not quota_for(branch).allowed  # everyone includes the tag's followers


def test_a_brand_without_a_follower_tag_on_an_account_is_refused(
    matrix, accounts, wechat_emulator, branch_editor, branch_publisher
):
    # given: the brand has a tag on the branch account only
    brand = Brand.objects.get(code="gotone")
    FollowerTag.objects.create(
        account=accounts["branch"], brand=brand, tag_id=100, name="全球通"
    )
    broadcast = make_broadcast(
        matrix["branch1"],
        [accounts["branch"], accounts["outlet"]],
        kind=Broadcast.Kind.TEXT,
        text="全球通会员日",
        audience=Broadcast.Audience.BRAND,
        brand=brand,
    )
    broadcast = approve(broadcast, branch_editor, branch_publisher)
    preview(
        broadcast,
        accounts["branch"],
        first_follower(wechat_emulator, accounts["branch"]),
    )
    # when / then
    message = refusal(broadcast)
    assert "wx-sx-01-01 上没有品牌「全球通」的粉丝标签" in message
    assert not broadcast.sends.exists()
    assert emulated_jobs(wechat_emulator, accounts["branch"]) == []


def test_a_news_group_is_sent_once_under_lost_answers_and_the_finish_event_records_counts(
    matrix, accounts, news_group, wechat_emulator, branch_editor, branch_publisher
):
    account = accounts["branch"]
    followers(
        wechat_emulator,
        account,
        [("oT1", [], False), ("oT2", [], False), ("oT3", [], True)],
    )
    broadcast = make_broadcast(
        matrix["branch1"], [account], kind=Broadcast.Kind.NEWS, news_group=news_group
    )
    broadcast = approve(broadcast, branch_editor, branch_publisher)
    assert preview(broadcast, account, "oT1").state == State.SENT
    # given: WeChat takes every sendall in and loses the answer, twice
    wechat_emulator.state.script(
        endpoint="message/mass/sendall",
        appid=account.app_id,
        lose_response=True,
        times=2,
    )
    # when
    (sent,) = send(broadcast)
    # then: one send at WeChat, of the draft the preview used; the row holds its msg_id
    (job,) = emulated_jobs(wechat_emulator, account)
    assert sent.state == State.SUBMITTED and sent.msg_id == str(job["msg_id"])
    assert job["titles"] == ["五一流量包上线", "宽带提速"]
    assert wechat_emulator.state.calls[account.app_id]["draft/add"] == 1
    # when: WeChat reports the end (the signal the callback sends)
    jobs.record_finish(account.code, job["msg_id"], "send success", 3, 3, 2, 1)
    sent.refresh_from_db()
    assert (
        sent.state,
        sent.total_count,
        sent.filter_count,
        sent.sent_count,
        sent.error_count,
    ) == (State.SENT, 3, 3, 2, 1)
    # and a second send of the same broadcast is refused
    assert "已在所选公众号发送过" in refusal(broadcast)


def test_a_sent_message_is_deleted_from_every_account(
    matrix, accounts, wechat_emulator, branch_editor, branch_publisher, text_broadcast
):
    account = accounts["branch"]
    broadcast = approve(text_broadcast, branch_editor, branch_publisher)
    preview(broadcast, account, first_follower(wechat_emulator, account))
    (sent,) = send(broadcast)
    # when
    with committed():
        sending.request_delete(broadcast)
    # then
    sent.refresh_from_db()
    assert sent.state == State.DELETED and sent.deleted_at
    (job,) = emulated_jobs(wechat_emulator, account)
    assert job["status"] == "DELETE"
    with pytest.raises(ValidationError):
        sending.request_delete(broadcast)


def test_wechat_refusing_for_quota_fails_the_send_with_its_reason(
    matrix, accounts, wechat_emulator, branch_editor, branch_publisher
):
    # given: the outlet sent from WeChat's own back office today (the platform cannot see it)
    outlet = accounts["outlet"]
    with wechat_emulator.state.lock:
        emulated_mass.book(wechat_emulator.state, outlet.app_id)["days"].append(
            emulated_mass._beijing(__import__("time").time())[0]
        )
    broadcast = make_broadcast(
        matrix["branch1"], [outlet], kind=Broadcast.Kind.TEXT, text="晚间群发"
    )
    broadcast = approve(broadcast, branch_editor, branch_publisher)
    preview(broadcast, outlet, first_follower(wechat_emulator, outlet))
    # when
    (sent,) = send(broadcast)
    # then
    assert sent.state == State.FAILED and sent.error.startswith("45028")
    assert quota_for(outlet).allowed  # a refused send uses no quota
