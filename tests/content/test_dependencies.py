"""Referential integrity across kinds (content.dependencies): which live items need
an item that would leave live, the ``together`` exemption, and a fixed query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content import kinds
from content.dependencies import blockers
from content.models import NewsGroup, NewsGroupEntry
from menus.services import publish as publish_menu
from tests.support.content import bind_command, publish
from tests.support.factories import (
    ArticleFactory,
    AutoReplyFactory,
    PackageFactory,
    SmsAccountFactory,
)
from tests.support.menus import make_menu, make_template, node

Kind = kinds.Kind


@pytest.fixture
def sms_account(matrix):
    return SmsAccountFactory(
        code="sms-sx", name="10086短信营业厅", organisation=matrix["province"]
    )


@pytest.fixture
def template(matrix):
    return make_template(
        "CXTC-REPLY",
        "您的套餐为{package}。",
        [{"name": "package", "type": "text", "max_length": 20}],
        organisation=matrix["province"],
    )


def sms_menu(account, template_codes, code="menu-sms-sx"):
    nodes = [
        node(
            "1",
            "套餐",
            children=[
                node(
                    f"1.{i}",
                    f"查询{i}",
                    "command",
                    command=f"CX{i}",
                    reply_template=tpl,
                )
                for i, tpl in enumerate(template_codes, start=1)
            ],
        )
    ]
    return make_menu(account, nodes, code=code)


def live_article(matrix, code="ART-LIVE", **fields):
    return ArticleFactory(
        code=code, organisation=matrix["province"], published=True, **fields
    )


def messages(found):
    return [b.message for b in found]


def test_template_answering_a_live_sms_menu_node_is_needed(sms_account, template):
    # given: a live SMS menu whose node 1.1 answers with the template
    publish_menu(sms_menu(sms_account, ["CXTC-REPLY"]))
    # when
    found = blockers([(Kind.SMS_TEMPLATE, template.pk)])
    # then
    assert messages(found) == [
        "短信模板 CXTC-REPLY 被已上线的菜单 menu-sms-sx 节点 1.1 使用"
    ]
    assert (found[0].needed.kind, found[0].dependent.kind) == (
        Kind.SMS_TEMPLATE,
        Kind.MENU,
    )


def test_a_menu_never_published_or_taken_off_live_needs_nothing(sms_account, template):
    menu = sms_menu(sms_account, ["CXTC-REPLY"])
    assert blockers([(Kind.SMS_TEMPLATE, template.pk)]) == []
    publish_menu(menu)
    menu.refresh_from_db()
    menu.unpublish()
    assert blockers([(Kind.SMS_TEMPLATE, template.pk)]) == []


def test_the_serving_version_counts_not_the_draft(sms_account, matrix, template):
    # given: the live version answers with another template; only the draft uses ours
    make_template("OTHER", "其他。", organisation=matrix["province"])
    menu = sms_menu(sms_account, ["OTHER"])
    publish_menu(menu)
    sms_menu_draft = [
        node(
            "1",
            "套餐",
            children=[
                node(
                    "1.1", "查询", "command", command="CX1", reply_template="CXTC-REPLY"
                )
            ],
        )
    ]
    from menus.services import replace_draft
    from tests.support.menus import tree

    replace_draft(menu, tree(*sms_menu_draft))
    # then
    assert blockers([(Kind.SMS_TEMPLATE, template.pk)]) == []


def test_article_opened_by_a_live_wechat_menu_button_is_needed(matrix):
    article = live_article(matrix)
    account = matrix["account_province"]
    publish_menu(
        make_menu(
            account,
            [
                node("1", "最新活动", "article_id", article="ART-LIVE"),
                node("2", "素材", "media_id", article="ART-LIVE"),
            ],
            code="menu-wx-sx",
        )
    )
    assert messages(blockers([(Kind.ARTICLE, article.pk)])) == [
        "图文 ART-LIVE 被已上线的菜单 menu-wx-sx 节点 1、2 使用"
    ]


def test_article_or_package_linked_by_a_live_menu_view_node_is_needed(matrix):
    article = live_article(matrix)
    package = PackageFactory(
        code="PKG-5G", organisation=matrix["province"], published=True
    )
    web = "https://www.example-operator.cn/sx/"
    nodes = [
        node("1", "活动", "view", url=f"{web}articles/ART-LIVE"),
        node("2", "套餐", "view", url=f"{web}packages/PKG-5G/?from=menu"),
        node("3", "其他", "view", url=f"{web}articles/ART-LIVE-2"),
    ]
    publish_menu(make_menu(matrix["account_province"], nodes, code="menu-wx-sx"))
    assert messages(
        blockers([(Kind.ARTICLE, article.pk), (Kind.PACKAGE, package.pk)])
    ) == [
        "图文 ART-LIVE 被已上线的菜单 menu-wx-sx 节点 1 使用",
        "资费套餐 PKG-5G 被已上线的菜单 menu-wx-sx 节点 2 使用",
    ]


def test_article_answered_by_a_live_keyword_reply_is_needed(matrix):
    article = live_article(matrix)
    reply = AutoReplyFactory(
        account=matrix["account_province"],
        keyword="流量",
        reply_type="article",
        reply_article=article,
        published=True,
    )
    AutoReplyFactory(
        account=matrix["account_province"],
        keyword="草稿",
        reply_type="article",
        reply_article=article,
        live=False,
    )
    found = blockers([(Kind.ARTICLE, article.pk)])
    assert messages(found) == [
        f"图文 ART-LIVE 被已上线的自动回复 {reply.pk} (关键词回复「流量」) 使用"
    ]


def test_article_held_by_a_live_news_group_is_needed(matrix):
    article = live_article(matrix)
    group = NewsGroup.objects.create(
        code="GRP-XA", title="五一专题", organisation=matrix["province"], live=False
    )
    NewsGroupEntry.objects.create(group=group, article=article, sort_order=0)
    assert (
        blockers([(Kind.ARTICLE, article.pk)]) == []
    )  # a draft group needs nothing yet
    publish(group)
    assert messages(blockers([(Kind.ARTICLE, article.pk)])) == [
        "图文 ART-LIVE 被已上线的图文组合 GRP-XA 使用"
    ]


def test_package_related_by_a_live_article_is_needed(matrix):
    package = PackageFactory(
        code="PKG-5G", organisation=matrix["province"], published=True
    )
    live_article(matrix, related_packages=[package])
    assert messages(blockers([(Kind.PACKAGE, package.pk)])) == [
        "资费套餐 PKG-5G 被已上线的图文 ART-LIVE (相关套餐) 使用"
    ]


def test_template_answering_a_live_package_order_command_is_needed(
    matrix, sms_account, template
):
    PackageFactory(
        code="PKG-5G",
        organisation=matrix["province"],
        order_command="kt5g",
        published=True,
    )
    bind_command(sms_account, "KT5G", template)
    assert messages(blockers([(Kind.SMS_TEMPLATE, template.pk)])) == [
        "短信模板 CXTC-REPLY 被已上线的资费套餐 PKG-5G 订购指令 KT5G 使用"
    ]


def test_dependents_leaving_or_changed_together_do_not_block(
    matrix, sms_account, template
):
    menu = sms_menu(sms_account, ["CXTC-REPLY"])
    publish_menu(menu)
    article = live_article(matrix)
    reply = AutoReplyFactory(
        account=matrix["account_province"],
        keyword="流量",
        reply_type="article",
        reply_article=article,
        published=True,
    )
    assert (
        blockers([(Kind.SMS_TEMPLATE, template.pk)], together=[(Kind.MENU, menu.pk)])
        == []
    )
    assert blockers([(Kind.SMS_TEMPLATE, template.pk), (Kind.MENU, menu.pk)]) == []
    assert blockers([(Kind.ARTICLE, article.pk), (Kind.AUTO_REPLY, reply.pk)]) == []
    # another dependent still blocks
    assert (
        len(blockers([(Kind.ARTICLE, article.pk)], together=[(Kind.MENU, menu.pk)]))
        == 1
    )


def test_unknown_kind_is_refused(matrix):
    with pytest.raises(LookupError):
        blockers([("page", 1)])


def _queries(leaving):
    with CaptureQueriesContext(connection) as queries:
        found = blockers(leaving)
    return len(queries), found


def test_query_count_does_not_grow_with_the_number_of_items(matrix, sms_account):
    # given: templates each answering a node of a live menu, articles each in a reply and a group
    codes = [f"TPL-{i}" for i in range(6)]
    templates = [
        make_template(code, "文本。", organisation=matrix["province"]) for code in codes
    ]
    publish_menu(sms_menu(sms_account, codes))
    articles = [live_article(matrix, code=f"ART-{i}") for i in range(6)]
    group = NewsGroup.objects.create(
        code="GRP", title="专题", organisation=matrix["province"]
    )
    for i, article in enumerate(articles):
        AutoReplyFactory(
            account=matrix["account_province"],
            keyword=f"词{i}",
            reply_type="article",
            reply_article=article,
            published=True,
        )
        NewsGroupEntry.objects.create(group=group, article=article, sort_order=i)
    publish(group)

    def leaving(n):
        return [(Kind.SMS_TEMPLATE, t.pk) for t in templates[:n]] + [
            (Kind.ARTICLE, a.pk) for a in articles[:n]
        ]

    # when
    one, found_one = _queries(leaving(1))
    six, found_six = _queries(leaving(6))
    # then: six times the blockers, the same queries
    assert len(found_one) == 3 and len(found_six) == 18
    assert one == six
