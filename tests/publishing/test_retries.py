"""Transient errors retried with backoff, permanent ones failing at once, 45009
pausing the account, lost answers never duplicating an article, and the
PUBLISHJOBFINISH event completing a publication once."""

import logging

import pytest

from publishing import services
from publishing.models import Publication, PublicationAttempt, State
from callback.signals import publish_job_finished
from publishing.signals import publication_finished
from publishing.tasks import run_publication
from tests.support.publishing import push

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def calls(emulator, account, endpoint):
    return emulator.state.snapshot()["calls"].get(account.app_id, {}).get(endpoint, 0)


def test_busy_answers_are_retried_with_backoff_and_the_stored_draft_is_not_added_again(
    official_accounts, article, wechat_emulator
):
    account = official_accounts[0]
    # given WeChat answers -1 to more submits than the client retries in one call
    wechat_emulator.state.script(endpoint="freepublish/submit", appid=account.app_id, errcode=-1, times=4)
    # when the article is pushed
    batch = push(article, accounts=[account])
    # then it was retried later, resumed at the submit and ended done
    pub = batch.publications.get()
    assert pub.state == State.DONE, pub.last_error
    assert pub.attempts == 2
    outcomes = list(pub.attempt_log.values_list("outcome", "step", "error_code"))
    assert outcomes[0] == (PublicationAttempt.Outcome.RETRY, Publication.Step.SUBMIT, "-1")
    assert calls(wechat_emulator, account, "draft/add") == 1
    assert calls(wechat_emulator, account, "freepublish/submit") == 5


def test_retries_stop_after_the_configured_failures_with_the_reason(
    official_accounts, article, wechat_emulator, settings
):
    settings.PUBLISHING_MAX_FAILURES = 2
    account = official_accounts[0]
    wechat_emulator.state.script(endpoint="draft/add", appid=account.app_id, errcode=45011, times=50)
    batch = push(article, accounts=[account])
    pub = batch.publications.get()
    assert pub.state == State.FAILED
    assert pub.attempts == 2
    assert "45011" in pub.last_error and "重试2次" in pub.last_error


def test_a_permanent_error_fails_at_once_with_wechats_reason(
    official_accounts, article, wechat_emulator
):
    account = official_accounts[0]
    wechat_emulator.state.script(endpoint="draft/add", appid=account.app_id, errcode=48001)
    batch = push(article, accounts=[account])
    pub = batch.publications.get()
    assert pub.state == State.FAILED and pub.attempts == 1
    assert pub.last_error_code == "48001" and "48001" in pub.last_error
    assert calls(wechat_emulator, account, "draft/add") == 1


def test_daily_quota_pauses_the_accounts_jobs_alerts_and_resumes_on_request(
    official_accounts, article, wechat_emulator, caplog, django_capture_on_commit_callbacks
):
    account = official_accounts[0]
    wechat_emulator.state.script(endpoint="draft/add", appid=account.app_id, errcode=45009)
    # when a push hits the daily quota
    with caplog.at_level(logging.ERROR):
        first = push(article, accounts=[account])
    pub = first.publications.get()
    # then the job is paused until the quota resets, with an error logged
    assert pub.state == State.PAUSED and pub.last_error_code == "45009"
    assert pub.next_attempt_at is not None
    assert any(r.levelno == logging.ERROR and account.code in r.getMessage() for r in caplog.records)
    # and a second push to the account pauses without calling WeChat again
    drafts_before = calls(wechat_emulator, account, "draft/add")
    second = push(article, accounts=[account])
    assert second.publications.get().state == State.PAUSED
    assert calls(wechat_emulator, account, "draft/add") == drafts_before
    # when an operator resumes the account (after clearing the quota)
    with django_capture_on_commit_callbacks(execute=True):
        resumed = services.resume_account(account.pk, force=True)
    # then both jobs complete
    assert resumed == 2
    assert set(Publication.objects.filter(account=account).values_list("state", flat=True)) == {State.DONE}


def test_a_lost_answer_to_draft_add_or_submit_never_duplicates_the_article(
    official_accounts, article, wechat_emulator
):
    account = official_accounts[0]
    # given WeChat commits draft/add and submit but the answers are lost
    wechat_emulator.state.script(endpoint="draft/add", appid=account.app_id, lose_response=True)
    wechat_emulator.state.script(endpoint="freepublish/submit", appid=account.app_id, lose_response=True)
    batch = push(article, accounts=[account])
    # then the publication is done with exactly one draft and one published article
    pub = batch.publications.get()
    assert pub.state == State.DONE, pub.last_error
    state = wechat_emulator.state.snapshot()
    assert state["dropped_responses"] == 2
    assert len([p for p in state["published"] if p["appid"] == account.app_id]) == 1
    assert len([j for j in state["jobs"] if j["appid"] == account.app_id]) == 1


def test_the_publish_event_completes_the_publication_once_and_the_poll_then_does_nothing(
    official_accounts, article, wechat_emulator, settings, django_capture_on_commit_callbacks
):
    # given polls far apart, so the job waits for WeChat's answer after submitting
    settings.PUBLISHING_POLL_SECONDS = 120
    account = official_accounts[0]
    batch = push(article, accounts=[account])
    pub = batch.publications.get()
    assert pub.state == State.RUNNING and pub.step == Publication.Step.RESULT and pub.publish_id
    finished = []
    publication_finished.connect(lambda **kw: finished.append(kw["publication_id"]), weak=False, dispatch_uid="t1")
    try:
        # when the callback reports PUBLISHJOBFINISH, twice (WeChat retries)
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                publish_job_finished.send(sender=None, app_id=account.app_id, account_code=account.code,
                                          publish_id=pub.publish_id, status=0, article_id="ART_EVENT_1", fail_idx=[])
        # and the scheduled poll runs afterwards
        run_publication.apply(args=[pub.pk])
    finally:
        publication_finished.disconnect(dispatch_uid="t1")
    # then it completed once, through the event
    pub.refresh_from_db()
    assert pub.state == State.DONE and pub.completed_via == Publication.Via.EVENT
    assert pub.article_id == "ART_EVENT_1"
    assert finished == [pub.pk]
    assert calls(wechat_emulator, account, "freepublish/get") == 0


def test_a_failed_publish_event_fails_the_publication_and_a_retry_drafts_anew(
    official_accounts, article, wechat_emulator, settings, django_capture_on_commit_callbacks
):
    settings.PUBLISHING_POLL_SECONDS = 120
    account = official_accounts[0]
    batch = push(article, accounts=[account])
    pub = batch.publications.get()
    with django_capture_on_commit_callbacks(execute=True):
        publish_job_finished.send(sender=None, app_id=account.app_id, publish_id=pub.publish_id, status=4,
                                  article_id="", fail_idx=[1])
    pub.refresh_from_db()
    assert pub.state == State.FAILED and pub.last_error_code == "publish_status_4"
    # when an operator retries it
    settings.PUBLISHING_POLL_SECONDS = 0.2
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_publication(pub)
    pub.refresh_from_db()
    assert pub.state == State.DONE, pub.last_error
    assert calls(wechat_emulator, account, "draft/add") == 2
