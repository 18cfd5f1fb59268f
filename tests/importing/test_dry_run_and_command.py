"""--dry-run, --report, --org, the exit status and the progress output."""

import io
import json
import os

import pytest
from django.core.management import call_command
from wagtail.models import ModelLogEntry, Revision

from importing.progress import Progress
from content.models import ChannelAccount, Organisation, Package, SmsTemplate
from media.models import LibraryImage
from harness.export import read


def test_dry_run_validates_and_reports_without_writing(run_import, dirty_export, settings):
    # given
    real_media = settings.MEDIA_ROOT
    # when
    dry = run_import(dirty_export, dry_run=True)
    # then: the same verdicts as a real run, and nothing stored
    assert {(e.list, e.record, e.field) for e in dry.refused}
    assert Organisation.objects.count() == 0 and SmsTemplate.objects.count() == 0
    assert Revision.objects.count() == 0 and ModelLogEntry.objects.count() == 0
    assert not LibraryImage.objects.exists()
    assert not os.path.exists(real_media) or not any(os.scandir(real_media))
    real = run_import(dirty_export)
    assert dry.as_dict() == real.as_dict()


def _call(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_legacy", *args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exc:
        status = exc.code
    return status, out.getvalue(), err.getvalue()


def test_command_writes_the_json_report_and_exits_1_when_anything_was_refused(run_import, dirty_export, tmp_path):
    # given
    report_file = tmp_path / "report.json"
    # when
    status, out, err = _call(str(dirty_export), "--report", str(report_file))
    # then
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert status == 1
    assert set(report) == {"imported", "refused", "warnings", "queued", "completed_earlier"}
    assert set(report["imported"]["packages"]) == {"created", "updated", "unchanged"}
    assert {"list": "packages", "record": "PKGBAD2", "field": "monthly_fee"} in [
        {k: e[k] for k in ("list", "record", "field")} for e in report["refused"]
    ]
    assert all(set(e) == {"list", "record", "field", "message"} for e in report["refused"])
    assert "packages PKGBAD2.monthly_fee" in err
    # plain lines when stdout is not a terminal, then the summary table
    assert "sms_templates: 303 records" in out and "\r" not in out
    # then what the run queued beyond its rows, and that nothing went to a live channel
    assert out.splitlines()[-3].split()[0] == "total"
    assert out.splitlines()[-2].startswith("queued: change_log 1, menu_change ")
    assert out.splitlines()[-1] == "pushed to live channels: nothing (use --push to push menus)"


def test_command_exits_0_when_nothing_was_refused(run_import, small_export, edit_export):
    # given: an export of the matrix only
    export = edit_export(small_export, lambda d: [d[k].clear() for k in list(d) if isinstance(d[k], list)
                                                  and k not in ("organisations", "brands", "channel_accounts")])
    # when
    status, out, _err = _call(str(export))
    # then
    assert status == 0
    assert ChannelAccount.objects.count() == len(read(export)["channel_accounts"]) > 0


def test_unreadable_export_is_a_command_error(run_import, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="export.json"):
        call_command("import_legacy", str(tmp_path), stdout=io.StringIO())


def test_org_option_imports_only_that_branchs_estate(run_import, small_export):
    # given / when
    report = run_import(small_export, org="SX-01")
    # then: SX-01, its outlets and its ancestor; none of SX-02's or SX-03's records
    codes = set(Organisation.objects.values_list("code", flat=True))
    assert "SX-01" in codes and "SX" in codes and not {"SX-02", "SX-03"} & codes
    assert set(SmsTemplate.objects.values_list("organisation__code", flat=True)) == {"SX-01"}
    assert set(Package.objects.values_list("organisation__code", flat=True)) <= {"SX-01"}
    assert report.counts["sms_templates"]["created"] == SmsTemplate.objects.count() > 0
    # the branch's articles use the province's images, which this run left out: they say so
    article_errors = [e for e in report.refused if e.list == "articles"]
    assert article_errors and all("不在本次导入的组织范围内" in e.message for e in article_errors)


def test_org_option_updates_only_that_branchs_changed_records(run_import, small_export, edit_export):
    # given
    run_import(small_export)
    ours = SmsTemplate.objects.filter(organisation__code="SX-01").order_by("code").first().code
    theirs = SmsTemplate.objects.filter(organisation__code="SX-02").order_by("code").first().code

    def change(data):
        for template in data["sms_templates"]:
            if template["code"] in (ours, theirs):
                template["text"] += "回复0返回。"

    # when
    report = run_import(edit_export(small_export, change), org="SX-01")
    # then
    assert report.counts["sms_templates"]["updated"] == 1
    assert SmsTemplate.objects.get(code=ours).text.endswith("回复0返回。")
    assert not SmsTemplate.objects.get(code=theirs).text.endswith("回复0返回。")
    data = read(small_export)
    ours_articles = {("articles", a["code"]) for a in data["articles"] if a["org"] == "SX-01"}
    unchanged = len(ours_articles - set())
    assert report.counts["articles"] == {"created": 0, "updated": 0, "unchanged": unchanged}


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_draws_a_bar_on_a_terminal():
    # given
    stream = _Tty()
    progress = Progress(stream)
    # when
    progress.start("sms_templates", 4)
    progress.advance(4)
    progress.finish("done")
    # then
    assert "\rsms_templates" in stream.getvalue()
    assert "[" + "#" * Progress.BAR_WIDTH + "] 4/4" in stream.getvalue()


def test_a_committed_run_is_announced_once_and_a_dry_run_is_not(
    run_import, small_export, django_capture_on_commit_callbacks
):
    # given
    from importing.signals import legacy_import_finished

    received = []

    def receiver(sender, report, changed, **kwargs):
        received.append(report)
        received.append(changed)

    legacy_import_finished.connect(receiver)
    try:
        # when
        with django_capture_on_commit_callbacks(execute=True):
            run_import(small_export, dry_run=True)
        with django_capture_on_commit_callbacks(execute=True):
            report = run_import(small_export)
    finally:
        legacy_import_finished.disconnect(receiver)
    # then
    assert received[0] is report and len(received) == 2
    assert received[1][SmsTemplate] == set(SmsTemplate.objects.values_list("pk", flat=True))
    assert received[1][LibraryImage] == set(LibraryImage.objects.values_list("pk", flat=True))
