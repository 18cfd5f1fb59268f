"""A run's push progress on the release page counts the jobs of every batch of the run
(an item's push may make several: a menu taken down), found by the run key, as the
dashboard's row of the run does; in one query whatever the number of items."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from publishing.models import Publication, State
from releases import fanout
from releases.models import ReleaseRun
from tests.publishing.test_dashboard import make_batch
from tests.support.factories import ArticleFactory

from .conftest import make_release

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_batches(matrix, monkeypatch):
    """Each item's push makes two batches: done on branch 1; running on branch 1,
    queued on branch 2."""
    one, two = matrix["account_branch1"], matrix["account_branch2"]

    def push(run, release_item, user):
        article = release_item.item()
        return [
            make_batch(article, [(one, State.DONE)]),
            make_batch(article, [(one, State.RUNNING), (two, State.QUEUED)]),
        ]

    monkeypatch.setattr(fanout, "_push", push)


def go_live(matrix, code, items=1):
    branch = matrix["branch1"]
    articles = [ArticleFactory(code=f"ART-{code}-{n}", organisation=branch) for n in range(items)]
    release = make_release(branch, code=code, items=[f"article:{article.code}" for article in articles])
    run = ReleaseRun.objects.create(release=release, action=ReleaseRun.Action.GO_LIVE)
    fanout.fan_out(run.pk)
    run = ReleaseRun.objects.select_related("release").get(pk=run.pk)
    assert run.fanned_out
    return run


def test_progress_counts_every_batch_of_an_items_push_and_waits_for_the_second(matrix, two_batches):
    run = go_live(matrix, "R-TWO")
    # the release tracks one batch for the item, but both carry the run
    assert run.batches.count() == 1
    # then the progress counts the three jobs of both batches, not the first batch's one
    progress = fanout.progress(run)
    assert progress["total"] == 3 and progress["finished"] == 1 and progress["percent"] == 33
    assert progress["counts"]["running"] == 1 and progress["counts"]["queued"] == 1
    # and is not complete while the second batch runs
    assert not progress["complete"]
    Publication.objects.filter(state=State.RUNNING).update(state=State.DONE)
    assert not fanout.progress(run)["complete"]
    Publication.objects.filter(state=State.QUEUED).update(state=State.FAILED)
    progress = fanout.progress(run)
    assert progress["complete"] and progress["failed"] == 1 and progress["finished"] == 3


def test_the_release_page_and_the_dashboard_count_the_same_jobs(client, superuser, matrix, two_batches):
    run = go_live(matrix, "R-SAME", items=2)
    client.force_login(superuser)
    release_page = client.get(reverse("releases_admin:progress", args=[run.release_id])).json()["runs"][0]
    dashboard = client.get(reverse("publishing:run_progress", args=[fanout.run_key(run)])).json()
    for field in ("total", "finished", "percent", "counts", "complete"):
        assert release_page[field] == dashboard[field], field
    assert release_page["total"] == 6 and not release_page["complete"]
    # and the release page links to the run's jobs on the dashboard
    page = client.get(reverse("releases_admin:release", args=[run.release_id])).content.decode()
    assert f'?run={fanout.run_key(run).replace(":", "%3A")}" data-run-jobs' in page


def test_progress_asks_one_query_whatever_the_number_of_items_and_batches(
    client, superuser, matrix, two_batches, django_assert_num_queries
):
    small, large = go_live(matrix, "R-S", items=1), go_live(matrix, "R-L", items=6)
    for run in (small, large):
        with django_assert_num_queries(1):
            fanout.progress(run)
    assert fanout.progress(large)["total"] == 6 * 3
    # nor do the release's progress endpoint's queries grow with its items
    client.force_login(superuser)

    def queries(run):
        with CaptureQueriesContext(connection) as asked:
            assert client.get(reverse("releases_admin:progress", args=[run.release_id])).status_code == 200
        return len(asked)

    queries(small)  # warm per-process caches
    assert queries(large) == queries(small)
