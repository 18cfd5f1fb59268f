"""A reader of the change feed or a bundle never sees half a release: the go-live
holds the change log's writer lock from its first publish to its commit, and
readers wait for it (publishing.changes.services.read_consistently); an API request
reading changes holds it until it ends (api.budget.one_transaction)."""

import threading

import pytest
from django.db import connections

from api import persisted
from publishing.changes.services import build_bundle
from releases import golive
from releases.models import Release
from tests.support.api import Api, make_api_client

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def templates_of(bundle):
    return {t["code"]: t["text"] for t in bundle["smsTemplates"]}


def read_while_going_live(release, monkeypatch, read):
    """(the go-live's run, what ``read`` returned), ``read`` called in a thread while the
    go-live is paused inside its transaction after its first item; asserts the reader
    waits for the release rather than read half of it."""
    published_one, proceed = threading.Event(), threading.Event()
    publish_item = golive._publish_item

    def pausing(release_item, *args):
        result = publish_item(release_item, *args)
        if not published_one.is_set():
            published_one.set()
            proceed.wait(60)
        return result

    monkeypatch.setattr(golive, "_publish_item", pausing)
    # (approved: what publishing the release does before its job runs, here in a thread)
    golive.pin(release)
    Release.objects.filter(pk=release.pk).update(state=Release.State.GOING_LIVE)
    results = {}

    def in_thread(name, work):
        def run():
            try:
                results[name] = work()
            finally:
                connections.close_all()
        return threading.Thread(target=run)

    writer = in_thread("run", lambda: golive.go_live(release.pk))
    writer.start()
    assert published_one.wait(60)
    reader = in_thread("read", read)
    reader.start()
    reader.join(2)
    assert reader.is_alive() and "read" not in results
    proceed.set()
    writer.join(60)
    reader.join(60)
    return results["run"], results["read"]


def test_a_bundle_built_while_a_release_goes_live_holds_all_of_it_or_none(
    release, sms_account, monkeypatch
):
    # given the go-live paused after its first item is published, inside its transaction,
    # when a front end builds its bundle meanwhile, then it waits for the release
    run, bundle = read_while_going_live(release, monkeypatch, lambda: build_bundle(sms_account))
    # and what it read is the whole release, at the release's version
    assert bundle["version"] == run.change_version
    texts = templates_of(bundle)
    assert "SMS-5G-58-KT" in texts and texts["SMS-5G-58"].startswith(
        "尊敬的客户,5G畅享套餐新资费"
    )


def test_a_change_page_read_while_a_release_goes_live_holds_all_of_it_or_none(
    release, sms_account, matrix, monkeypatch
):
    _, token = make_api_client("短信网关", matrix["branch1"], [sms_account])

    def changes_page():
        status, payload = Api(token).post(persisted.by_name("sms_changes").text,
                                          {"account": sms_account.code, "since": 0, "first": 100})
        return payload["data"]["changes"] if status == 200 else payload

    # given the go-live paused inside its transaction, after its first item, when the SMS
    # gateway reads its changes by the API meanwhile, then it waits for the release
    run, page = read_while_going_live(release, monkeypatch, changes_page)
    # and its page holds the whole release, up to the current version it reports
    codes = {edge["node"]["code"] for edge in page["edges"]}
    assert {"SMS-5G-58", "SMS-5G-58-KT"} <= codes
    assert page["currentVersion"] == run.change_version == page["edges"][-1]["node"]["version"]
