"""Going live: every item's draft published in one transaction, one release in the
change feed, one push per item fanned out and tracked on the release's run."""

import importlib

import pytest
from django.urls import reverse

from content.models import Article, Package, SmsTemplate
from publishing.changes.models import Change
from publishing.models import Publication, PublishBatch, State
from releases import fanout
from releases.models import Release, ReleaseRun

from .conftest import go_live_now

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_publishing_a_release_puts_every_draft_live_as_one_change_version(
    matrix, release, tariff, sms_account
):
    # when the release is published now
    release = go_live_now(release)
    # then every item serves its draft
    assert release.state == Release.State.LIVE
    assert Package.objects.get(code="PKG-5G-58").name == "5G畅享套餐(新资费)"
    assert Article.objects.get(code="ART-5G-58").live
    assert SmsTemplate.objects.get(code="SMS-5G-58").text.startswith(
        "尊敬的客户,5G畅享套餐新资费"
    )
    assert SmsTemplate.objects.get(code="SMS-5G-58-KT").live
    # and the change feed holds them under one release version, the highest of its rows
    rows = list(Change.objects.filter(release_code=release.code))
    assert {(row.kind, row.code) for row in rows} >= {
        ("package", "PKG-5G-58"),
        ("article", "ART-5G-58"),
        ("sms_template", "SMS-5G-58"),
        ("sms_template", "SMS-5G-58-KT"),
    }
    assert {row.release_version for row in rows} == {max(row.version for row in rows)}
    run = ReleaseRun.objects.get(release=release, action=ReleaseRun.Action.GO_LIVE)
    assert run.change_version == max(row.version for row in rows)
    # and no item was recorded on its own besides
    assert not Change.objects.filter(
        release_code="", code__in=["SMS-5G-58-KT", "ART-5G-58"]
    ).exists()


def test_the_pushes_fan_out_as_the_release_run_and_reach_the_sms_gateway_and_wechat(
    matrix, release, sms_endpoint, webhook_receiver, wechat_accounts, wechat_emulator
):
    # when the release goes live
    release = go_live_now(release)
    run = release.runs.get()
    # then each pushed item got its batch, labelled with the release, tracked on the run
    assert run.fanned_out
    assert run.batches.count() == release.items.count()
    progress = fanout.progress(run)
    assert progress["complete"] and progress["failed"] == 0
    labels = set(run.batches.exclude(batch=None).values_list("batch__label", flat=True))
    assert labels and all(label.startswith(f"[{release.code}]") for label in labels)
    # and all of them are one run on the dashboard, linking to the release page
    batches = PublishBatch.objects.filter(pk__in=run.batches.values("batch"))
    assert set(batches.values_list("run_key", "run_label")) == {
        (f"release:{release.pk}:go_live", f"[{release.code}] {release.title} · 上线")
    }
    # and the SMS gateway's webhook holds the release's version with both templates
    documents = webhook_receiver.documents()
    assert documents
    newest = max(documents, key=lambda d: d["version"])
    assert newest["version"] == run.change_version
    codes = {
        t["code"]
        for d in documents
        for t in (
            d["data"].get("smsTemplates")
            or d["data"].get("upserts", {}).get("smsTemplates", [])
        )
    }
    assert {"SMS-5G-58", "SMS-5G-58-KT"} <= codes
    assert (
        Publication.objects.filter(channel=Publication.Channel.WEBHOOK)
        .exclude(state=State.DONE)
        .count()
        == 0
    )
    # and the article went out to the branch's official account on WeChat (the emulator)
    jobs = wechat_emulator.state.snapshot()["jobs"]
    assert any(job["appid"] == wechat_accounts["wx-sx-01"].app_id for job in jobs)


def test_the_dashboard_shows_the_go_live_as_one_row_linking_to_the_release(
    client, matrix, release, sms_endpoint, webhook_receiver, wechat_accounts, superuser
):
    release = go_live_now(release)
    run = release.runs.get()
    pushed = list(run.batches.exclude(batch=None).values_list("batch_id", flat=True))
    assert len(pushed) > 1
    client.force_login(superuser)
    page = client.get(reverse("publishing:dashboard")).content.decode()
    assert page.count("<tr data-run=") == 1
    assert not any(f'<tr data-batch="{pk}"' in page for pk in pushed)
    assert all(f'<tr data-run-batch="{pk}">' in page for pk in pushed)
    assert f'href="{reverse("releases_admin:release", args=[release.pk])}" data-run-link' in page


def test_runs_made_before_batches_carried_their_run_are_marked_by_the_migration(
    matrix, release, sms_endpoint, webhook_receiver, wechat_accounts
):
    from django.apps import apps

    mark = importlib.import_module("releases.migrations.0004_mark_run_batches").mark_run_batches
    release = go_live_now(release)
    batches = PublishBatch.objects.filter(pk__in=release.runs.get().batches.values("batch"))
    marked = set(batches.values_list("run_key", "run_label"))
    batches.update(run_key="", run_label="")
    mark(apps, None)
    assert set(batches.values_list("run_key", "run_label")) == marked
