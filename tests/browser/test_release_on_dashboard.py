"""An editor finds a release's go-live on the publishing dashboard as one row (issue
#18: a release pushes each item in its own batch), watches its count move, opens its
batches and goes to the release page from it."""

import pytest

from publishing import runs
from publishing.models import Publication, State
from releases import fanout
from releases.models import ReleaseRun
from tests.publishing.test_dashboard import make_batch
from tests.releases.conftest import make_release
from tests.support.browser import admin_login
from tests.support.factories import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_sees_a_releases_pushes_as_one_row_and_opens_its_batches(admin_page, matrix, branch_editor):
    page = admin_page
    one, two = matrix["account_branch1"], matrix["account_branch2"]
    # given a release of the branch gone live: three items pushed to the branch's account,
    # one of them also to the sibling branch's, and one more to the sibling's only
    release = make_release(matrix["branch1"], code="R-DASH", title="五月资费调整")
    run = ReleaseRun.objects.create(release=release, action=ReleaseRun.Action.GO_LIVE)
    articles = [ArticleFactory(code=f"ART-DASH-{n}", organisation=matrix["branch1"]) for n in range(4)]
    mine = [
        make_batch(articles[0], [(one, State.DONE)]),
        make_batch(articles[1], [(one, State.DONE), (two, State.FAILED)]),
        make_batch(articles[2], [(one, State.QUEUED)]),
    ]
    sibling = make_batch(articles[3], [(two, State.DONE)])
    runs.mark([*mine, sibling], fanout.run_key(run), fanout.run_label(run))
    # and a batch of its own, pushed since
    lone = make_batch(articles[0], [(one, State.DONE)])

    admin_login(page, branch_editor.username)
    page.goto(f"{page.base_url}/admin/publishing/")
    # then the release's pushes are one row, beside the batch of its own
    row = page.locator(f'tr[data-run="{fanout.run_key(run)}"]')
    assert row.count() == 1
    assert "[R-DASH] 五月资费调整 · 上线" in row.inner_text()
    assert page.locator("tr[data-batch]").count() == 1 and page.locator(f'tr[data-batch="{lone.pk}"]').count() == 1
    # counted over the branch's own jobs: 2 of 3 finished, batches done 2, waiting 1
    assert row.locator('.pub-run__states [data-field="batches-done"]').inner_text() == "2"
    assert row.locator('[data-field="finished"]').inner_text() == "2"
    # when the queued job finishes, the row's count moves without reloading the page
    Publication.objects.filter(batch=mine[2]).update(state=State.DONE)
    selector = f'tr[data-run="{fanout.run_key(run)}"] .pub-progress__text [data-field=finished]'
    page.wait_for_function("s => document.querySelector(s).textContent === '3'", arg=selector)
    assert row.locator('[data-field="batches-done"]').inner_text() == "3"

    # when the editor expands the row, its batches show (not the sibling branch's)
    first = row.locator(f'tr[data-run-batch="{mine[0].pk}"]')
    assert not first.is_visible()
    row.locator("summary").click()
    first.wait_for(state="visible")
    assert row.locator("tr[data-run-batch]").count() == 3
    # each with its own state, moved on with the row
    finished = row.locator(f'tr[data-run-batch="{mine[2].pk}"]')
    assert finished.locator(".pub-run__count").inner_text() == "1/1"
    assert finished.locator(".pub-run__state").inner_text() == "完成"
    assert row.locator(f'tr[data-run-batch="{sibling.pk}"]').count() == 0
    # and opens one: its batch page lists its job on the branch's account
    first.locator("a").click()
    page.wait_for_url(f"{page.base_url}/admin/publishing/batches/{mine[0].pk}/")
    assert page.locator(f'tr[data-publication="{mine[0].publications.get().pk}"]').count() == 1

    # and from the row, the release page
    page.go_back()
    page.locator(f'tr[data-run="{fanout.run_key(run)}"] a[data-run-link]').click()
    page.wait_for_url(f"{page.base_url}/admin/releases/{release.pk}/")
    assert "R-DASH" in page.locator("main").inner_text()
