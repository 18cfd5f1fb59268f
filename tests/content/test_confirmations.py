"""Confirmations for irreversible actions: unpublishing an item, or deleting a live
one, first shows which accounts it is live on (WeChat official accounts from the
ledger of done pushes, the pull channels it reaches); a menu rollback first shows
the version it publishes, the account and the node-by-node changes."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from content.models import Article, ChannelAccount
from menus.models import Menu, MenuNode
from menus.services import live_version, publish as publish_menu
from publishing.models import Publication, PublishBatch, State
from tests.support.content import publish
from tests.support.factories import ArticleFactory, ChannelAccountFactory, PackageFactory
from tests.support.menus import make_menu, node

pytestmark = pytest.mark.django_db


def pushed(item, account, state=State.DONE, withdrawn=False):
    """A finished push of ``item`` to ``account`` in the ledger (``withdrawn``: WeChat's
    article was deleted since, by a takedown or a newer version)."""
    batch = PublishBatch.objects.create(
        kind=PublishBatch.Kind.ARTICLE, action=PublishBatch.Action.PUBLISH,
        source_type=ContentType.objects.get_for_model(item), source_id=str(item.pk), source_code=item.code,
        label=str(item),
    )
    return Publication.objects.create(
        batch=batch, account=account, channel=Publication.Channel.WECHAT, state=state, finished_at=timezone.now(),
        article_id=f"art-{account.code}-{batch.pk}", withdrawn_at=timezone.now() if withdrawn else None,
    )


@pytest.fixture
def live_article(matrix):
    article = publish(ArticleFactory(code="TAKE-1", organisation=matrix["branch1"], live=False,
                                     channels=["wechat_official_account", "web"]))
    return article


def test_unpublish_confirmation_lists_the_accounts_the_article_leaves(client, matrix, live_article, branch_publisher):
    web = ChannelAccountFactory(code="web-sx", name="网上营业厅", type=ChannelAccount.Type.WEB,
                                organisation=matrix["province"], app_id="")
    pushed(live_article, matrix["account_branch1"])
    # a push that was later taken down, and one that failed, are not live
    pushed(live_article, matrix["account_province"], withdrawn=True)
    failed_elsewhere = ChannelAccountFactory(code="wx-sx-01-b", organisation=matrix["branch1"])
    pushed(live_article, failed_elsewhere, state=State.FAILED)
    client.force_login(branch_publisher)
    url = reverse(Article.snippet_viewset.get_url_name("unpublish"), args=[live_article.pk])
    html = client.get(url).content.decode()
    assert "确定要下线图文「" in html
    assert 'data-account="wx-sx-01"' in html and "已推送发布到该公众号" in html
    assert f'data-account="{web.code}"' in html and "从内容包/接口读取" in html
    assert 'data-account="wx-sx"' not in html and 'data-account="wx-sx-01-b"' not in html
    assert 'data-count="2"' in html
    # confirming unpublishes
    client.post(url)
    live_article.refresh_from_db()
    assert not live_article.live


def test_deleting_a_live_item_lists_its_accounts_a_draft_does_not(client, matrix, branch_publisher):
    live = publish(PackageFactory(code="DEL-LIVE", organisation=matrix["branch1"], live=False))
    draft = PackageFactory(code="DEL-DRAFT", organisation=matrix["branch1"], live=False)
    client.force_login(branch_publisher)
    delete = live.snippet_viewset.get_url_name("delete")
    html = client.get(reverse(delete, args=[live.pk])).content.decode()
    assert "此内容正在线上提供,删除不可撤销" in html and 'data-account="wx-sx-01"' in html
    html = client.get(reverse(delete, args=[draft.pk])).content.decode()
    assert "正在线上提供" not in html


def test_menu_rollback_asks_first_showing_the_version_account_and_changes(client, matrix, branch_publisher):
    account = ChannelAccountFactory(code="wx-menu", name="西安移动", organisation=matrix["branch1"])
    menu = make_menu(account, [node("1", "话费", type="click", event_key="FEE")])
    publish_menu(menu, None, "v1")
    MenuNode.objects.filter(menu=menu, key="1").update(name="话费服务")
    publish_menu(menu, None, "v2")
    client.force_login(branch_publisher)
    versions = client.get(reverse("menus_admin:versions", args=[menu.pk])).content.decode()
    confirm_url = reverse("menus_admin:rollback", args=[menu.pk, 1])
    assert f'href="{confirm_url}"' in versions
    # the confirmation changes nothing yet
    page = client.get(confirm_url).content.decode()
    assert "将发布为新版本 <strong>v3</strong>" in page and "替换当前线上的 v2" in page
    assert 'data-account="wx-menu"' in page
    assert 'data-kind="renamed"' in page and "话费服务" in page
    assert live_version(menu).number == 2
    # confirming rolls back
    client.post(confirm_url)
    assert live_version(menu).number == 3
    assert Menu.objects.get(pk=menu.pk).nodes.get(key="1").name == "话费"


def test_deleting_a_live_menu_names_its_account(client, matrix, branch_publisher):
    account = ChannelAccountFactory(code="wx-menu-del", name="西安移动", organisation=matrix["branch1"])
    menu = make_menu(account, [node("1", "话费", type="click", event_key="FEE")])
    publish_menu(menu, None, "v1")
    client.force_login(branch_publisher)
    html = client.get(reverse(Menu.snippet_viewset.get_url_name("delete"), args=[menu.pk])).content.decode()
    assert "此内容正在线上提供,删除不可撤销" in html and 'data-account="wx-menu-del"' in html
