"""The admin's lists of tables that grow without bound (callback messages, template
message sends, publishing jobs): their queries do not grow with the rows, and their
counts stop at the cap (content.paging) instead of counting every row. Small data,
the cap lowered: the full-scale figures are bench/content_admin.py's."""

import itertools
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from callback.models import MessageLog
from content.models import Article
from content.paging import CappedCountPaginator
from notices.models import Send
from publishing import dashboard, runs
from publishing import recent as recent_rows
from publishing.models import Publication, PublishBatch, State

pytestmark = pytest.mark.django_db
CAP = 5
serial = itertools.count()


@pytest.fixture(autouse=True)
def small_cap(monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "cap", CAP)
    monkeypatch.setattr(dashboard, "COUNT_CAP", CAP)


def add_messages(account, n):
    MessageLog.objects.bulk_create(
        MessageLog(account=account, openid=f"o-{next(serial)}", msg_type="text") for _ in range(n)
    )


def add_sends(account, n):
    Send.objects.bulk_create(
        Send(account=account, code="bill", openid=f"o-{i}", template_id="t", client_msg_id=f"c-{next(serial)}",
             caller="crm", state=Send.State.DELIVERED)
        for i in range(n)
    )


def add_batches(accounts, n, state=State.DONE, at=None):
    batches = []
    for _ in range(n):
        batch = PublishBatch.objects.create(kind=PublishBatch.Kind.ARTICLE,
                                            source_type=ContentType.objects.get_for_model(Article),
                                            source_id=str(next(serial)), created_at=at or timezone.now())
        for account in accounts:
            Publication.objects.create(batch=batch, account=account, channel=Publication.Channel.WECHAT,
                                       state=state, created_at=at or timezone.now())
        batches.append(batch)
    return batches


def queries_of(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries], response


LOGS = [
    ("wagtailsnippets_wechat_callback_messagelog:list", add_messages),
    ("wagtailsnippets_notices_send:list", add_sends),
]


@pytest.mark.parametrize(("list_name", "add"), LOGS)
def test_a_log_list_asks_the_same_queries_for_three_rows_or_sixty(client, matrix, branch_editor, list_name, add):
    client.force_login(branch_editor)
    add(matrix["account_branch1"], 3)
    client.get(reverse(list_name))  # warm per-process caches (content types, permissions)
    few, response = queries_of(client, reverse(list_name))
    assert response.context["paginator"].count == 3 and not response.context["paginator"].capped
    add(matrix["account_branch1"], 60)
    add(matrix["account_branch2"], 10)  # another branch's: neither listed nor counted
    many, response = queries_of(client, reverse(list_name))
    assert len(many) == len(few)
    paginator = response.context["paginator"]
    assert paginator.capped and paginator.count == CAP + 1
    assert paginator.items_count_label.startswith(f"{CAP}+")
    # the count reads at most cap + 1 rows: no COUNT(*) over every row the user sees
    counts = [sql for sql in many if "COUNT(" in sql.upper()]
    assert counts and all(f"LIMIT {CAP + 1}" in sql for sql in counts)
    # the pages up to the cap stay reachable
    assert client.get(reverse(list_name), {"p": 2}).status_code == 200


def test_the_dashboard_asks_the_same_queries_for_two_batches_or_thirty(client, matrix, superuser):
    client.force_login(superuser)
    accounts = [matrix["account_branch1"], matrix["account_branch2"]]
    add_batches(accounts, 2)
    url = reverse("publishing:dashboard")
    client.get(url)
    few, _response = queries_of(client, url)
    add_batches(accounts, 28)
    add_batches(accounts, 1, state=State.FAILED)
    many, response = queries_of(client, url)
    assert len(many) == len(few)
    page = response.content.decode()
    # states over the cap read "5+"; the others are exact
    assert f'data-state="done">已完成<strong>{CAP}+</strong>' in page
    assert 'data-state="failed">失败<strong>2</strong>' in page
    assert 'data-state="paused">已暂停<strong>0</strong>' in page
    assert page.count("<tr data-batch=") == 10


def test_the_dashboards_latest_rows_are_those_whose_latest_job_is_newest(matrix, branch_publisher):
    now = timezone.now()
    one, two = matrix["account_branch1"], matrix["account_branch2"]
    old = add_batches([one], 1, at=now - timedelta(hours=5))[0]
    # a batch whose jobs were made at different times ranks by its newest job
    spread = add_batches([one], 1, at=now - timedelta(hours=9))[0]
    Publication.objects.create(batch=spread, account=one, channel=Publication.Channel.WEBHOOK, created_at=now)
    recent = add_batches([one, two], 6, at=now - timedelta(hours=1))
    # a run's batches are one row, ranked by the newest job of any of them
    run = add_batches([one], 12, at=now - timedelta(hours=3)) + add_batches([two], 1, at=now - timedelta(hours=2))
    runs.mark(run, "bench:1", "一次上线")
    hidden = add_batches([matrix["account_province"]], 3, at=now + timedelta(minutes=1))  # not the branch's
    mine = dashboard.publications_for(branch_publisher)
    latest = (
        mine.order_by().values("batch_id", "batch__run_key").annotate(last=Max("created_at"))
        .values_list("batch_id", "batch__run_key", "last")
    )
    newest = {}
    for batch_id, run_key, last in latest:
        row = ("run", run_key) if run_key else ("batch", batch_id)
        newest[row] = max(last, newest.get(row, last))
    expected = sorted(newest, key=lambda row: (newest[row], row[1] if row[0] == "batch" else 0), reverse=True)[:9]
    # read in windows of 2 jobs: the windows' edges change nothing
    with CaptureQueriesContext(connection) as windows:
        assert recent_rows.latest_rows(mine, 9, window=2) == expected
    # and each window skips the jobs of rows already seen (the run's 12 jobs on the
    # branch's account are read once, not window after window)
    assert len(windows.captured_queries) <= 9 < mine.count() // 2
    assert expected[0] == ("batch", spread.pk) and ("batch", old.pk) in expected
    assert not {("batch", b.pk) for b in hidden} & set(expected)
    assert {("batch", b.pk) for b in recent} <= set(expected)
    assert ("run", "bench:1") in expected and not {("batch", b.pk) for b in run} & set(expected)


def test_site_history_counts_the_log_up_to_the_cap(client, matrix, branch_editor):
    from wagtail.log_actions import log

    from tests.support.factories import ArticleFactory

    client.force_login(branch_editor)
    url = reverse("wagtailadmin_reports:site_history")
    own = ArticleFactory(organisation=matrix["branch1"], live=False)
    other = ArticleFactory(organisation=matrix["branch2"], live=False)
    for _ in range(3):
        log(own, "wagtail.edit")
    client.get(url)  # warm per-process caches (content types, permissions)
    few, response = queries_of(client, url)
    assert response.context["paginator"].count == 3 and not response.context["paginator"].capped
    for article in (own, other):
        for _ in range(30):
            log(article, "wagtail.edit")
    many, response = queries_of(client, url)
    assert len(many) == len(few)
    paginator = response.context["paginator"]
    assert paginator.capped and paginator.count == CAP + 1
    assert paginator.items_count_label.startswith(f"{CAP}+")
    counts = [sql for sql in many if "COUNT(" in sql.upper()]
    assert counts and all(f"LIMIT {CAP + 1}" in sql for sql in counts)
    assert client.get(url, {"p": 2}).status_code == 200


def test_site_history_reads_its_filter_choices_once_per_log(client, matrix, branch_editor, branch_publisher):
    from wagtail.log_actions import log

    from tests.support.factories import ArticleFactory, SmsTemplateFactory

    client.force_login(branch_editor)
    url = reverse("wagtailadmin_reports:site_history")
    article = ArticleFactory(organisation=matrix["branch1"], live=False)
    template = SmsTemplateFactory(organisation=matrix["branch1"])
    for record in (article, template):
        log(record, "wagtail.edit", user=branch_editor)
    client.get(url)  # warm per-process caches (content types, permissions)
    few, response = queries_of(client, url)
    for action in ("wagtail.create", "wagtail.publish"):
        log(template, action, user=branch_publisher)
    many, response = queries_of(client, url)
    # more actions and users in the log: the same queries
    assert len(many) == len(few)
    fields = response.context["filters"].form.fields
    assert {value for value, _ in fields["action"].choices} == {"wagtail.create", "wagtail.publish", "wagtail.edit"}
    assert {ct.model_class() for ct in fields["object_type"].queryset} == {Article, type(template)}
    assert set(fields["user"].queryset) == {branch_editor, branch_publisher}
    # actions, types and users come from one grouped read of each log (the page log's
    # is empty for a branch editor: not asked), not a scan of the log per filter
    reads = [sql for sql in many if sql.startswith("SELECT DISTINCT") and "logentry" in sql.split(" FROM ")[1][:40]]
    assert len(reads) == 1
    assert all('"action"' in sql and '"content_type_id"' in sql and '"user_id"' in sql for sql in reads)
    # and the content types the user may see are not read from the whole log
    assert not [sql for sql in many if "auth_permission" in sql and "logentry" in sql]


def test_site_history_scopes_only_the_types_the_log_holds(client, matrix, branch_editor):
    """The scope of the log asks a subquery only for the scoped models the log names
    (cms.models.logged_content_type_ids): none over the message log until an entry
    names a message; then the branch's message shows and a sibling's does not."""
    from wagtail.log_actions import log

    from tests.support.factories import ArticleFactory

    client.force_login(branch_editor)
    url = reverse("wagtailadmin_reports:site_history")
    log(ArticleFactory(organisation=matrix["branch1"], live=False), "wagtail.edit")
    client.get(url)  # warm per-process caches (content types, permissions)
    before, response = queries_of(client, url)
    assert not [sql for sql in before if "wechat_callback_messagelog" in sql]
    assert [sql for sql in before if '"content_article"' in sql and "logentry" in sql]
    own = MessageLog.objects.create(account=matrix["account_branch1"], openid="o-own", msg_type="text")
    sibling = MessageLog.objects.create(account=matrix["account_branch2"], openid="o-sibling", msg_type="text")
    for message in (own, sibling):
        log(message, "wagtail.edit")
    after, response = queries_of(client, url)
    assert [sql for sql in after if "wechat_callback_messagelog" in sql and "logentry" in sql]
    shown = {(entry.content_type.model_class(), entry.object_id) for entry in response.context["object_list"]}
    assert (MessageLog, str(own.pk)) in shown and (MessageLog, str(sibling.pk)) not in shown


def test_postgresql_connections_run_without_jit():
    """The admin's scoped reads are priced high enough to be JIT-compiled for seconds
    (cms/settings/base.py)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_site_history_offers_logged_pages_as_one_page_type(client, superuser):
    from wagtail.log_actions import log
    from wagtail.models import Page

    root = Page.get_first_root_node() or Page.add_root(title="Root")
    log(root, "wagtail.edit", user=superuser)
    client.force_login(superuser)
    _, response = queries_of(client, reverse("wagtailadmin_reports:site_history"))
    fields = response.context["filters"].form.fields
    assert [ct.model_class() for ct in fields["object_type"].queryset] == [Page]
    assert list(fields["user"].queryset) == [superuser]
