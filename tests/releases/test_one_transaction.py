"""A reader of the change feed or a bundle never sees half a release: the go-live
holds the change log's writer lock from its first publish to its commit, and
readers wait for it (publishing.changes.services.read_consistently)."""

import threading

import pytest
from django.db import connections

from publishing.changes.services import build_bundle
from releases import golive
from releases.models import Release

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def templates_of(bundle):
    return {t["code"]: t["text"] for t in bundle["smsTemplates"]}


def test_a_bundle_built_while_a_release_goes_live_holds_all_of_it_or_none(
    release, sms_account, monkeypatch
):
    # given the go-live paused after its first item is published, inside its transaction
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

    def going_live():
        try:
            results["run"] = golive.go_live(release.pk)
        finally:
            connections.close_all()

    def reading():
        try:
            results["bundle"] = build_bundle(sms_account)
        finally:
            connections.close_all()

    writer = threading.Thread(target=going_live)
    writer.start()
    assert published_one.wait(60)
    # when a front end builds its bundle meanwhile
    reader = threading.Thread(target=reading)
    reader.start()
    reader.join(2)
    # then it waits for the release rather than read half of it
    assert reader.is_alive() and "bundle" not in results
    proceed.set()
    writer.join(60)
    reader.join(60)
    # and what it read is the whole release, at the release's version
    run = results["run"]
    bundle = results["bundle"]
    assert bundle["version"] == run.change_version
    texts = templates_of(bundle)
    assert "SMS-5G-58-KT" in texts and texts["SMS-5G-58"].startswith(
        "尊敬的客户,5G畅享套餐新资费"
    )
