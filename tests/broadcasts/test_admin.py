"""The admin of mass sends: isolation between branches, the edit form's rules, and
the 预览与发送 page's refusals (nothing is queued when a rule says no)."""

import pytest
from django.urls import reverse

from broadcasts.models import Broadcast, BroadcastPreview, BroadcastSend

from .conftest import make_broadcast


@pytest.fixture
def broadcast(matrix, accounts):
    return make_broadcast(
        matrix["branch1"],
        [accounts["branch"]],
        kind=Broadcast.Kind.TEXT,
        text="话费八折",
    )


def test_branch_editor_sees_the_send_page_with_quota_and_why_it_cannot_send_yet(
    client, broadcast, branch_editor
):
    client.force_login(branch_editor)
    page = client.get(
        reverse("broadcasts_admin:send", args=[broadcast.pk])
    ).content.decode()
    assert (
        'data-account="wx-sx-01"' in page
        and "服务号:本月该范围的粉丝最多已收到 0 条,每人每月 4 条" in page
    )
    assert "尚未审核通过" in page


def test_sibling_branch_editor_cannot_see_or_send_another_branchs_broadcast(
    client, broadcast, sibling_editor
):
    client.force_login(sibling_editor)
    assert (
        client.get(reverse("broadcasts_admin:send", args=[broadcast.pk])).status_code
        == 404
    )
    assert (
        client.post(reverse("broadcasts_admin:go", args=[broadcast.pk])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("wagtailsnippets_broadcasts_broadcast:edit", args=[broadcast.pk])
        ).status_code
        == 404
    )
    listing = client.get(
        reverse("wagtailsnippets_broadcasts_broadcast:list")
    ).content.decode()
    assert broadcast.title not in listing


def test_the_form_offers_only_official_accounts_of_the_editors_organisations(
    client, accounts, matrix, sibling_editor
):
    client.force_login(sibling_editor)
    form = client.get(reverse("wagtailsnippets_broadcasts_broadcast:add")).context[
        "form"
    ]
    offered = set(form.fields["accounts"].queryset.values_list("code", flat=True))
    assert offered == {"wx-sx-02"}


def test_a_text_broadcast_without_text_is_refused_naming_the_field(
    client, accounts, matrix, branch_editor
):
    client.force_login(branch_editor)
    response = client.post(
        reverse("wagtailsnippets_broadcasts_broadcast:add"),
        {
            "title": "空文本",
            "organisation": matrix["branch1"].pk,
            "kind": "text",
            "text": "",
            "audience": "all",
            "accounts": [accounts["branch"].pk],
        },
    )
    assert response.status_code == 200
    assert "文本内容不能为空" in str(response.context["form"].errors["text"])
    assert not Broadcast.objects.filter(title="空文本").exists()


def test_an_account_of_another_branch_is_refused(
    client, accounts, matrix, branch_editor
):
    client.force_login(branch_editor)
    response = client.post(
        reverse("wagtailsnippets_broadcasts_broadcast:add"),
        {
            "title": "越权",
            "organisation": matrix["branch1"].pk,
            "kind": "text",
            "text": "你好",
            "audience": "all",
            "accounts": [matrix["account_branch2"].pk],
        },
    )
    assert response.status_code == 200 and "accounts" in response.context["form"].errors
    assert not Broadcast.objects.filter(title="越权").exists()


def test_sending_an_unapproved_broadcast_queues_nothing(
    client, broadcast, branch_editor
):
    client.force_login(branch_editor)
    response = client.post(
        reverse("broadcasts_admin:go", args=[broadcast.pk]), follow=True
    )
    assert "尚未审核通过" in response.content.decode()
    assert not BroadcastSend.objects.exists()


def test_a_preview_without_a_recipient_queues_nothing(
    client, broadcast, accounts, branch_editor
):
    client.force_login(branch_editor)
    response = client.post(
        reverse("broadcasts_admin:preview", args=[broadcast.pk]),
        {"account": accounts["branch"].pk, "touser": "", "towxname": ""},
        follow=True,
    )
    assert "预览请填写测试粉丝的 OpenID 或微信号" in response.content.decode()
    assert not BroadcastPreview.objects.exists()


def test_an_editor_creates_a_draft_broadcast_for_the_branchs_accounts(
    client, accounts, matrix, branch_editor
):
    client.force_login(branch_editor)
    client.post(
        reverse("wagtailsnippets_broadcasts_broadcast:add"),
        {
            "title": "周末提醒",
            "organisation": matrix["branch1"].pk,
            "kind": "text",
            "text": "周末流量翻倍",
            "audience": "all",
            "accounts": [accounts["branch"].pk, accounts["outlet"].pk],
        },
    )
    broadcast = Broadcast.objects.get(title="周末提醒")
    assert not broadcast.live and broadcast.latest_revision is not None
    assert set(broadcast.accounts.values_list("code", flat=True)) == {
        "wx-sx-01",
        "wx-sx-01-01",
    }


def test_the_send_page_costs_the_same_queries_for_one_account_or_many(
    client, matrix, accounts, branch_editor
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from broadcasts.models import BroadcastSend, State
    from tests.support.factories import ChannelAccountFactory

    more = [
        ChannelAccountFactory(code=f"wx-sx-01-q{n}", organisation=matrix["branch1"])
        for n in range(3)
    ]
    one = make_broadcast(
        matrix["branch1"], [accounts["branch"]], kind=Broadcast.Kind.TEXT, text="一"
    )
    many = make_broadcast(
        matrix["branch1"],
        [accounts["branch"], accounts["outlet"], *more],
        kind="text",
        text="多",
    )
    for n, account in enumerate([accounts["branch"], *more]):
        BroadcastSend.objects.create(
            broadcast=many,
            account=account,
            clientmsgid=f"qc-{n}",
            state=State.SENT,
            sent_count=n,
        )
    client.force_login(branch_editor)
    client.get(
        reverse("broadcasts_admin:send", args=[one.pk])
    )  # warm the user's caches
    counts = []
    for broadcast in (one, many):
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(
                    reverse("broadcasts_admin:send", args=[broadcast.pk])
                ).status_code
                == 200
            )
        counts.append(len(queries))
    assert counts[0] == counts[1]
