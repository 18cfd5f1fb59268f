"""The publisher's review queue (等待你的审查 on the admin home) gives each item its
kind, organisation, submitter, submission time, the channels and number of
accounts it will reach, and the channel checks that would refuse its approval."""

import re

import pytest
from django.urls import reverse

from content.models import Article, ChannelAccount
from tests.support.factories import ArticleFactory, ChannelAccountFactory
from tests.support.images import make_image

pytestmark = pytest.mark.django_db

LONG_TITLE = "全省五一流量包限时优惠活动火热进行中欢迎广大客户踊跃参与办理详情请咨询"


def submit(article, editor):
    article.save_revision(user=editor)
    return Article.get_default_workflow().start(article, editor)


def row(html, item):
    match = re.search(rf'<tr data-review-item="{item.pk}".*?</tr>', html, re.S)
    assert match, f"{item} is not in the review queue"
    return match.group(0)


def test_review_queue_shows_reach_submitter_and_blocking_checks(client, matrix, branch_editor, branch_publisher):
    ChannelAccountFactory(code="web-sx", name="网上营业厅", type=ChannelAccount.Type.WEB,
                          organisation=matrix["province"], app_id="")
    good = ArticleFactory(code="RQ-GOOD", organisation=matrix["branch1"], live=False,
                          channels=["wechat_official_account", "web"],
                          cover_image=make_image(matrix["branch1"], title="cover"))
    bad = ArticleFactory(code="RQ-BAD", organisation=matrix["branch1"], live=False, title=LONG_TITLE)
    submit(good, branch_editor)
    submit(bad, branch_editor)
    client.force_login(branch_publisher)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "等待你的审查" in html
    good_row = row(html, good)
    assert '<td data-field="kind">图文</td>' in good_row
    assert '<td data-field="organisation">西安分公司</td>' in good_row
    assert branch_editor.username in good_row or branch_editor.get_full_name() in good_row
    # the branch's official account (never the province's: content/reach.py) and the province's web site
    assert '<span data-field="accounts">2</span>' in good_row
    assert "微信公众号 1、网上营业厅 1" in good_row
    assert 'data-blocking="0"' in good_row
    bad_row = row(html, bad)
    assert f"标题 {len(LONG_TITLE)} 个字,微信要求不超过 32 个字" in bad_row
    assert "缺少封面图" in bad_row


def test_sibling_publisher_does_not_see_the_item(client, matrix, branch_editor, sibling_editor):
    from content import roles
    from tests.support.users import make_editor

    article = ArticleFactory(code="RQ-SIB", organisation=matrix["branch1"], live=False)
    submit(article, branch_editor)
    client.force_login(make_editor("publisher-sx02", matrix["branch2"], roles.PUBLISHERS))
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert f'data-review-item="{article.pk}"' not in html
