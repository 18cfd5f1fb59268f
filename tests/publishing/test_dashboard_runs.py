"""A run's pushes on the dashboard (a release's go-live pushes each item in its own
batch): one row with its batches by state, its start and end, a link to the page of
what started it, expanding to each batch; isolation, the run filter, the progress
endpoint and a query count that does not grow with the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from publishing import recent, runs
from publishing.models import Publication, State

from .test_dashboard import make_batch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def trial_source(monkeypatch):
    """A source of runs with a page of its own (releases registers the real one)."""
    monkeypatch.setitem(runs._LINKS, "trial", lambda keys: {key: f"/trial/{key.split(':')[1]}/" for key in keys})


@pytest.fixture
def run(matrix, article):
    """Three pushes of one run: done on both branches, one failed on branch 2, one queued."""
    one, two = matrix["account_branch1"], matrix["account_branch2"]
    batches = [
        make_batch(article, [(one, State.DONE), (two, State.DONE)]),
        make_batch(article, [(one, State.DONE), (two, State.FAILED)]),
        make_batch(article, [(one, State.QUEUED)]),
    ]
    runs.mark(batches, "trial:1", "[R-1] 五月资费调整 · 上线")
    return batches


def dashboard(client, params=None):
    response = client.get(reverse("publishing:dashboard"), params or {})
    assert response.status_code == 200
    return response.content.decode()


def test_a_runs_pushes_are_one_row_that_expands_to_its_batches(client, superuser, run, matrix, article):
    lone = make_batch(article, [(matrix["account_branch1"], State.DONE)])
    client.force_login(superuser)
    page = dashboard(client)
    # one row for the run, one for the batch of its own
    assert page.count("<tr data-run=") == 1 and page.count("<tr data-batch=") == 1
    assert f'<tr data-batch="{lone.pk}"' in page
    start = page.index('<tr data-run="trial:1"')
    row = page[start : page.index("</tbody>", start)]
    assert "[R-1] 五月资费调整 · 上线" in row and 'href="/trial/1/"' in row
    # expanding to each of its batches, each with its own state
    for batch in run:
        assert f'<tr data-run-batch="{batch.pk}">' in row
        assert reverse("publishing:batch", args=[batch.pk]) in row
    # its batches by state: one done, one failed, one waiting; 4 of 5 jobs finished
    assert 'data-field="batches-done">1<' in row and 'data-field="batches-failed">1<' in row
    assert 'data-field="batches-pending">1<' in row and 'data-field="batches-running">0<' in row
    assert 'aria-valuenow="80"' in row
    assert reverse("publishing:run_progress", args=["trial:1"]) in row
    # and each batch's page says which run it belongs to, linking to the run's jobs
    batch_page = client.get(reverse("publishing:batch", args=[run[0].pk])).content.decode()
    assert "[R-1] 五月资费调整 · 上线" in batch_page and "?run=trial%3A1" in batch_page


def test_the_dashboard_asks_the_same_queries_for_one_run_or_many(client, superuser, matrix, article):
    one, two = matrix["account_branch1"], matrix["account_branch2"]
    client.force_login(superuser)

    def add_run(key, size):
        batches = [make_batch(article, [(one, State.DONE), (two, State.RUNNING)]) for _ in range(size)]
        runs.mark(batches, key, key)

    add_run("trial:1", 2)
    make_batch(article, [(one, State.DONE)])
    dashboard(client)  # warm per-process caches
    with CaptureQueriesContext(connection) as few:
        dashboard(client)
    for n in range(2, 8):
        add_run(f"trial:{n}", 6)
        make_batch(article, [(one, State.DONE)])
    with CaptureQueriesContext(connection) as many:
        page = dashboard(client)
    assert len(many) == len(few)
    assert page.count("<tr data-run=") + page.count("<tr data-batch=") == 10
    assert page.count("<tr data-run-batch=") >= 6 * 5


def test_a_branch_editor_sees_only_the_runs_pushes_to_their_own_accounts(client, run, matrix, branch_editor):
    client.force_login(branch_editor)
    page = dashboard(client)
    # the run's row holds the batches reaching branch 1, counted over its jobs only
    assert page.count("<tr data-run=") == 1
    assert all(f'<tr data-run-batch="{batch.pk}">' in page for batch in run)
    assert 'data-field="batches-failed">0<' in page and 'data-field="batches-done">2<' in page
    assert 'data-field="total">3<' in page
    data = client.get(reverse("publishing:run_progress", args=["trial:1"])).json()
    assert data["total"] == 3 and data["counts"]["failed"] == 0
    assert data["batches"] == {"pending": 1, "running": 0, "done": 2, "failed": 0}
    # a run that reaches none of their accounts is neither listed nor readable
    only_sibling = run[1]
    Publication.objects.filter(batch=only_sibling, account=matrix["account_branch1"]).delete()
    page = dashboard(client)
    assert f'<tr data-run-batch="{only_sibling.pk}">' not in page
    Publication.objects.filter(account=matrix["account_branch1"]).delete()
    assert "<tr data-run=" not in dashboard(client)
    assert client.get(reverse("publishing:run_progress", args=["trial:1"])).status_code == 404


def test_the_run_filter_lists_its_jobs_and_keeps_the_other_filters(client, superuser, run, matrix, article):
    make_batch(article, [(matrix["account_branch1"], State.FAILED)])  # not the run's
    client.force_login(superuser)
    page = dashboard(client, {"run": "trial:1"})
    assert page.count("<tr data-publication=") == 5
    assert "执行:[R-1] 五月资费调整 · 上线" in page and 'name="run" value="trial:1"' in page
    assert 'data-state="failed">失败<strong>1</strong>' in page
    failed = dashboard(client, {"run": "trial:1", "state": "failed"})
    assert failed.count("<tr data-publication=") == 1 and matrix["account_branch2"].code in failed
    assert dashboard(client, {"run": "trial:404"}).count("<tr data-publication=") == 0


def test_the_run_progress_endpoint_counts_its_jobs_and_batches(
    client, superuser, run, django_assert_max_num_queries
):
    client.force_login(superuser)
    with django_assert_max_num_queries(6):
        data = client.get(reverse("publishing:run_progress", args=["trial:1"])).json()
    assert data["total"] == 5 and data["finished"] == 4 and data["percent"] == 80 and not data["complete"]
    assert data["counts"]["failed"] == 1
    assert data["batches"] == {"pending": 1, "running": 0, "done": 1, "failed": 1}
    by_batch = {row["id"]: row for row in data["batch_rows"]}
    assert by_batch[run[1].pk] == {"id": run[1].pk, "state": "failed", "state_label": "失败", "finished": 2, "total": 2}
    assert by_batch[run[2].pk]["state"] == "pending" and by_batch[run[2].pk]["finished"] == 0
    Publication.objects.filter(state=State.QUEUED).update(state=State.DONE)
    data = client.get(reverse("publishing:run_progress", args=["trial:1"])).json()
    assert data["complete"] and data["batches"]["pending"] == 0


def expanded(page, key):
    start = page.index(f'<tr data-run="{key}"')
    return page[start : page.index("</tbody>", start)]


def test_a_long_runs_row_lists_its_first_batches_failing_ones_first_and_links_to_all_its_jobs(
    client, superuser, matrix, article, monkeypatch
):
    monkeypatch.setattr(recent, "LISTED_BATCHES", 4)
    one, two = matrix["account_branch1"], matrix["account_branch2"]
    # a run of 9 batches, the 7th and 9th failing on branch 2
    batches = [
        make_batch(article, [(one, State.DONE), (two, State.FAILED if n in (6, 8) else State.RUNNING)])
        for n in range(9)
    ]
    runs.mark(batches, "trial:9", "[R-9] 九项")
    client.force_login(superuser)
    row = expanded(dashboard(client), "trial:9")
    # the row lists 4 of them: the failing ones first, then the first pushed
    listed = [batch.pk for batch in (batches[6], batches[8], batches[0], batches[1])]
    assert row.count("<tr data-run-batch=") == 4
    assert row.index(f'data-run-batch="{listed[0]}"') < row.index(f'data-run-batch="{listed[1]}"')
    assert row.index(f'data-run-batch="{listed[1]}"') < row.index(f'data-run-batch="{listed[2]}"')
    assert all(f'<tr data-run-batch="{pk}">' in row for pk in listed)
    # says how many it leaves out and links to every job of the run
    assert 'data-run-unlisted="5"' in row and 'href="/admin/publishing/?run=trial%3A9" data-run-all' in row
    # counted over all 9 batches
    assert "展开 9 个批次" in row and 'data-field="batches-failed">2<' in row and 'data-field="batches-running">7<' in row
    # its bar polls the listed batches' states only
    query = "batches=" + ",".join(map(str, listed))
    assert f'data-progress-url="{reverse("publishing:run_progress", args=["trial:9"])}?{query}"' in row
    data = client.get(reverse("publishing:run_progress", args=["trial:9"]), {"batches": ",".join(map(str, listed))}).json()
    assert [batch["id"] for batch in data["batch_rows"]] == sorted(listed) and data["total"] == 18
    # asked without them, it answers the ones the row would list
    data = client.get(reverse("publishing:run_progress", args=["trial:9"])).json()
    assert [batch["id"] for batch in data["batch_rows"]] == listed


def test_a_branch_editor_never_gets_listed_nor_polls_a_sibling_branchs_batches(
    client, matrix, article, branch_editor, monkeypatch
):
    monkeypatch.setattr(recent, "LISTED_BATCHES", 2)
    one, two = matrix["account_branch1"], matrix["account_branch2"]
    sibling = make_batch(article, [(two, State.FAILED)])  # failing, but not theirs
    mine = [make_batch(article, [(one, State.DONE)]) for _ in range(3)]
    runs.mark([sibling, *mine], "trial:5", "[R-5] 四项")
    client.force_login(branch_editor)
    row = expanded(dashboard(client), "trial:5")
    assert f'data-run-batch="{sibling.pk}"' not in row
    assert row.count("<tr data-run-batch=") == 2 and 'data-run-unlisted="1"' in row and "展开 3 个批次" in row
    assert 'data-field="batches-failed">0<' in row
    progress = reverse("publishing:run_progress", args=["trial:5"])
    data = client.get(progress, {"batches": f"{sibling.pk},{mine[0].pk}"}).json()
    assert [batch["id"] for batch in data["batch_rows"]] == [mine[0].pk] and data["total"] == 3
    assert sibling.pk not in [batch["id"] for batch in client.get(progress).json()["batch_rows"]]
