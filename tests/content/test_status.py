"""Status everywhere: one rule (content.status) gives every editorial item its status
(草稿 / 审核中 / 已计划 with the time / 已发布 / 已发布(有未发布的修改) / 已过期); every
content list and the menu list show it in a column and filter by it in SQL, with a
query count that does not grow with the page; every edit page shows it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from content.models import Article, AutoReply, Business, Package, SmsTemplate, TemplateMessage
from content.status import Status, filter_status, status_of, with_status
from menus.models import Menu
from tests.support.content import publish
from tests.support.factories import (
    ArticleFactory,
    AutoReplyFactory,
    BusinessFactory,
    PackageFactory,
    SmsTemplateFactory,
    TemplateMessageFactory,
)
from tests.support.menus import make_menu, node

pytestmark = pytest.mark.django_db

EDITORIAL = [Article, Package, Business, SmsTemplate, AutoReply, TemplateMessage, Menu]


def make(model, matrix, n, *, live):
    """The ``n``-th record of ``model`` in branch 1, live or a never-published draft."""
    if model is AutoReply:
        return AutoReplyFactory(account=matrix["account_branch1"], keyword=f"状态词{n}", live=live)
    if model is Menu:
        # One base menu per account: each menu gets an account of its own.
        from tests.support.factories import ChannelAccountFactory

        account = ChannelAccountFactory(code=f"wx-st-{n:03d}", organisation=matrix["branch1"])
        menu = make_menu(account, [node("1", "查询")], code=f"menu-st-{n:03d}", name=f"状态菜单{n}")
        Menu.objects.filter(pk=menu.pk).update(live=live, has_unpublished_changes=not live)
        return menu
    factory = {Article: ArticleFactory, Package: PackageFactory, Business: BusinessFactory,
               SmsTemplate: SmsTemplateFactory, TemplateMessage: TemplateMessageFactory}[model]
    return factory(code=f"ST-{n:03d}", organisation=matrix["branch1"], live=live)


def list_url(model, **query):
    url = reverse(model.snippet_viewset.get_url_name("list"))
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def statuses_on_page(html):
    import re

    return re.findall(r'class="content-status" data-status="([a-z_]+)"', html)


def test_status_follows_the_item_through_its_lifecycle(matrix, branch_editor):
    article = ArticleFactory(code="LIFE-1", organisation=matrix["branch1"], live=False)
    assert status_of(article).status == Status.DRAFT
    # in review while a workflow runs
    article.save_revision(user=branch_editor)
    workflow_state = Article.get_default_workflow().start(article, branch_editor)
    assert str(status_of(article)) == "审核中"
    workflow_state.cancel(user=branch_editor)
    # scheduled: the go-live time in the site's time zone, named
    article.go_live_at = timezone.make_aware(datetime.datetime(2031, 5, 1, 1, 30), datetime.UTC)
    article.save_revision().publish()
    article.refresh_from_db()
    scheduled = status_of(article)
    assert scheduled.status == Status.SCHEDULED
    assert str(scheduled) == "已计划 2031-05-01 09:30 (Asia/Shanghai)"
    # live, then live with a newer draft
    article.revisions.update(approved_go_live_at=None)
    article.go_live_at = None
    publish(article)
    assert str(status_of(article)) == "已发布"
    article.title = "新标题"
    article.save_revision()
    assert str(status_of(article)) == "已发布(有未发布的修改)"
    # expired: taken down by its expiry date
    Article.objects.filter(pk=article.pk).update(live=False, expired=True)
    assert str(status_of(Article.objects.get(pk=article.pk))) == "已过期"


def test_filter_and_annotation_are_the_same_rule(matrix):
    draft = make(Package, matrix, 1, live=False)
    live = make(Package, matrix, 2, live=True)
    changed = publish(make(Package, matrix, 3, live=False))
    changed.name = "改名"
    changed.save_revision()
    rows = {p.pk: status_of(p).status for p in with_status(Package.objects.all())}
    assert rows == {draft.pk: Status.DRAFT, live.pk: Status.LIVE, changed.pk: Status.LIVE_WITH_CHANGES}
    for status in Status.values:
        filtered = set(filter_status(Package.objects.all(), status).values_list("pk", flat=True))
        assert filtered == {pk for pk, s in rows.items() if s == status}, status


@pytest.mark.parametrize("model", EDITORIAL, ids=lambda m: m.__name__)
def test_every_list_shows_the_status_and_filters_by_it(client, matrix, branch_editor, model):
    draft = make(model, matrix, 1, live=False)
    live = make(model, matrix, 2, live=True)
    client.force_login(branch_editor)
    html = client.get(list_url(model)).content.decode()
    assert "状态" in html
    assert sorted(statuses_on_page(html)) == ["draft", "live"]
    assert "草稿" in html and "已发布" in html
    only_live = client.get(list_url(model, status="live")).content.decode()
    assert statuses_on_page(only_live) == ["live"]
    assert str(live) in only_live and str(draft) not in only_live
    only_drafts = client.get(list_url(model, status="draft")).content.decode()
    assert statuses_on_page(only_drafts) == ["draft"]
    # the filter form offers every status in Chinese
    assert 'value="live_changed"' in html and "已发布(有未发布的修改)" in html


@pytest.mark.parametrize("model", EDITORIAL, ids=lambda m: m.__name__)
def test_status_column_and_filter_keep_the_query_count_constant(client, matrix, branch_editor, model,
                                                                django_assert_max_num_queries):
    client.force_login(branch_editor)
    for n in range(2):
        make(model, matrix, n, live=n % 2 == 0)
    client.get(list_url(model, status="draft"))  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(list_url(model, status="draft")).status_code == 200
        assert client.get(list_url(model)).status_code == 200
    for n in range(2, 24):
        make(model, matrix, n, live=n % 2 == 0)
    with django_assert_max_num_queries(len(few)):
        assert client.get(list_url(model, status="draft")).status_code == 200
        assert client.get(list_url(model)).status_code == 200


@pytest.mark.parametrize("model", EDITORIAL, ids=lambda m: m.__name__)
def test_every_edit_page_shows_the_status(client, matrix, branch_editor, model):
    item = make(model, matrix, 1, live=True)
    client.force_login(branch_editor)
    html = client.get(reverse(model.snippet_viewset.get_url_name("edit"), args=[item.pk])).content.decode()
    assert 'class="content-status-panel" data-status="live"' in html
    assert "已发布" in html


def test_edit_page_shows_the_scheduled_time_with_its_time_zone(client, matrix, branch_editor):
    template = SmsTemplateFactory(code="SCHED-1", organisation=matrix["branch1"], live=False)
    template.go_live_at = timezone.make_aware(datetime.datetime(2031, 1, 2, 0, 0), datetime.UTC)
    template.save_revision().publish()
    client.force_login(branch_editor)
    html = client.get(reverse(SmsTemplate.snippet_viewset.get_url_name("edit"), args=[template.pk])).content.decode()
    assert "已计划 2031-01-02 08:00 (Asia/Shanghai)" in html
    listing = client.get(list_url(SmsTemplate, status="scheduled")).content.decode()
    assert "已计划 2031-01-02 08:00 (Asia/Shanghai)" in listing


def test_filter_agrees_with_the_column_where_statuses_overlap(matrix, branch_editor):
    """The filter tests each status's own condition and none of the earlier ones; an
    item both live and in review, or live and scheduled, is where that could go wrong."""
    items = {n: make(SmsTemplate, matrix, n, live=n % 2 == 0) for n in range(1, 9)}
    for n in (1, 2):  # in review: a draft and a live one
        items[n].save_revision(user=branch_editor)
        SmsTemplate.get_default_workflow().start(items[n], branch_editor)
    for n in (3, 4):  # scheduled: a draft and a live one
        items[n].save_revision(approved_go_live_at=timezone.now() + datetime.timedelta(days=3))
    SmsTemplate.objects.filter(pk=items[5].pk).update(expired=True)
    SmsTemplate.objects.filter(pk=items[6].pk).update(has_unpublished_changes=True)
    rows = {t.pk: status_of(t).status for t in with_status(SmsTemplate.objects.all())}
    assert {rows[items[n].pk] for n in items} == set(Status.values)
    for status in Status.values:
        filtered = set(filter_status(SmsTemplate.objects.all(), status).values_list("pk", flat=True))
        assert filtered == {pk for pk, s in rows.items() if s == status}, status


def test_status_filter_is_plain_conditions_on_an_indexed_schedule():
    """At full scale computing the status CASE for each of 18,000 SMS templates (and the
    scheduled test reading all their revisions) cost 130 ms per filtered page; the filter
    is now plain conditions and the scheduled revisions have their own index."""
    sql = str(filter_status(SmsTemplate.objects.all(), Status.DRAFT).query)
    assert "CASE" not in sql.upper()
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "wagtailcore_revision")
    assert indexes["content_revision_scheduled"]["columns"] == ["base_content_type_id", "object_id"]
