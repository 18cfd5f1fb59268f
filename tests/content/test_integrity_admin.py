"""Referential integrity on the paths that take an item off live: the admin's unpublish
and delete (refused with the dependents named, nothing changes) and beat's scheduled
expiry (the needed item stays live, items expiring together leave together)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from content.models import Article, SmsTemplate
from content.services.scheduled import EXPIRY_REFUSED
from menus.services import publish as publish_menu
from menus.services import published_tree
from tests.support.content import committed
from tests.support.factories import ArticleFactory, AutoReplyFactory, SmsAccountFactory
from tests.support.menus import make_menu, make_template, node


@pytest.fixture
def sms_account(matrix):
    return SmsAccountFactory(
        code="sms-sx", name="10086短信营业厅", organisation=matrix["province"]
    )


@pytest.fixture
def live_sms_menu(matrix, sms_account):
    make_template("CXTC-REPLY", "您的套餐为畅享。", organisation=matrix["province"])
    menu = make_menu(
        sms_account,
        [
            node(
                "1",
                "套餐",
                children=[
                    node(
                        "1.2",
                        "查询",
                        "command",
                        command="CXTC",
                        reply_template="CXTC-REPLY",
                    )
                ],
            )
        ],
        code="menu-sms-sx",
    )
    publish_menu(menu)
    return menu


def template():
    return SmsTemplate.objects.get(code="CXTC-REPLY")


def test_unpublishing_a_template_a_live_menu_answers_with_is_refused(
    client, superuser, live_sms_menu, sms_account
):
    client.force_login(superuser)
    url = reverse(
        SmsTemplate.snippet_viewset.get_url_name("unpublish"), args=[template().pk]
    )
    # the confirmation already names the dependent
    assert (
        "短信模板 CXTC-REPLY 被已上线的菜单 menu-sms-sx 节点 1.2 使用"
        in client.get(url).content.decode()
    )
    # when
    with committed():
        response = client.post(url, follow=True)
    # then: refused, named, nothing changed
    html = response.content.decode()
    assert "未下线:短信模板 CXTC-REPLY 被已上线的菜单 menu-sms-sx 节点 1.2 使用" in html
    assert template().live
    assert (
        published_tree(sms_account)[0]["children"][0]["reply_template"] == "CXTC-REPLY"
    )


def test_unpublishing_a_template_no_live_item_needs_goes_through(
    client, superuser, matrix
):
    spare = make_template("SPARE", "备用。", organisation=matrix["province"])
    client.force_login(superuser)
    with committed():
        client.post(
            reverse(
                SmsTemplate.snippet_viewset.get_url_name("unpublish"), args=[spare.pk]
            )
        )
    spare.refresh_from_db()
    assert not spare.live


def test_unpublishing_the_menu_first_then_the_template_goes_through(
    client, superuser, live_sms_menu
):
    client.force_login(superuser)
    with committed():
        client.post(
            reverse(
                type(live_sms_menu).snippet_viewset.get_url_name("unpublish"),
                args=[live_sms_menu.pk],
            )
        )
        client.post(
            reverse(
                SmsTemplate.snippet_viewset.get_url_name("unpublish"),
                args=[template().pk],
            )
        )
    assert not template().live


def test_deleting_a_live_article_a_keyword_reply_answers_with_is_refused(
    client, superuser, matrix
):
    article = ArticleFactory(
        code="ART-LIVE", organisation=matrix["province"], published=True
    )
    reply = AutoReplyFactory(
        account=matrix["account_province"],
        keyword="流量",
        reply_type="article",
        reply_article=article,
        published=True,
    )
    client.force_login(superuser)
    url = reverse(Article.snippet_viewset.get_url_name("delete"), args=[article.pk])
    html = client.post(url, follow=True).content.decode()
    assert (
        f"未删除:图文 ART-LIVE 被已上线的自动回复 {reply.pk} (关键词回复「流量」) 使用"
        in html
    )
    assert Article.objects.filter(pk=article.pk, live=True).exists()


def run_beat():
    out = StringIO()
    with committed():
        call_command("publish_scheduled", stdout=out)
    return out.getvalue()


def expire_now(item):
    type(item).objects.filter(pk=item.pk).update(
        expire_at=timezone.now() - timedelta(minutes=1)
    )


def test_scheduled_expiry_keeps_a_template_a_live_menu_needs(live_sms_menu, matrix):
    spare = make_template("SPARE", "备用。", organisation=matrix["province"])
    expire_now(template())
    expire_now(spare)
    # when
    out = run_beat()
    # then: the needed template stays live, with the refusal said; the other expires
    assert (
        "到期下线被拒绝:短信模板 CXTC-REPLY 被已上线的菜单 menu-sms-sx 节点 1.2 使用"
        in out
    )
    assert template().live
    spare.refresh_from_db()
    assert not spare.live and spare.expired
    # and the template's history says why, once however often beat retries
    run_beat()
    refusals = ModelLogEntry.objects.filter(
        object_id=str(template().pk), action=EXPIRY_REFUSED
    )
    assert [entry.data["blockers"] for entry in refusals] == [
        ["短信模板 CXTC-REPLY 被已上线的菜单 menu-sms-sx 节点 1.2 使用"]
    ]
    assert template().live


def test_items_expiring_together_leave_together(live_sms_menu):
    expire_now(template())
    expire_now(live_sms_menu)
    assert run_beat() == ""
    live_sms_menu.refresh_from_db()
    assert not template().live and not live_sms_menu.live


def test_an_item_kept_live_keeps_what_it_needs(matrix, live_sms_menu):
    # given: two live keyword replies answering with one article
    article = ArticleFactory(
        code="ART-LIVE", organisation=matrix["province"], published=True
    )
    reply = AutoReplyFactory(
        account=matrix["account_province"],
        keyword="流量",
        reply_type="article",
        reply_article=article,
        published=True,
    )
    other = AutoReplyFactory(
        account=matrix["account_province"],
        keyword="套餐",
        reply_type="article",
        reply_article=article,
        published=True,
    )
    # when: the article and one reply expire, another live reply still needs the article
    expire_now(article)
    expire_now(reply)
    run_beat()
    # then: the article stays (``other`` needs it), the expiring reply leaves
    article.refresh_from_db()
    reply.refresh_from_db()
    other.refresh_from_db()
    assert article.live and not reply.live and other.live


def test_bulk_deleting_live_articles_is_refused_while_one_is_needed(
    client, superuser, matrix
):
    needed = ArticleFactory(
        code="ART-LIVE", organisation=matrix["province"], published=True
    )
    spare = ArticleFactory(
        code="ART-SPARE", organisation=matrix["province"], published=True
    )
    AutoReplyFactory(
        account=matrix["account_province"],
        keyword="流量",
        reply_type="article",
        reply_article=needed,
        published=True,
    )
    client.force_login(superuser)
    url = (
        reverse("wagtail_bulk_action", args=("content", "article", "delete"))
        + f"?id={needed.pk}&id={spare.pk}"
    )
    html = client.post(url, follow=True).content.decode()
    assert "未删除:图文 ART-LIVE 被已上线的自动回复" in html
    assert Article.objects.filter(pk__in=[needed.pk, spare.pk]).count() == 2
