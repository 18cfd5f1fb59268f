"""Re-running an import: the same export gives the same verdicts every time."""

from harness.export import record
from content.models import SmsCommand
from menus.models import Menu


def _with_clashing_template(data):
    """A bad record reusing SMS000020's command (and SMS000020 is on the menu sms-main)."""
    good = record(data, "sms_templates", "SMS000020")
    data["sms_templates"].append({**good, "code": "SMS999999", "text": good["text"] + "。"})


def _verdicts(report):
    return sorted((e.list, e.record, e.field) for e in report.refused)


def test_rerunning_an_export_with_a_command_clash_refuses_only_the_clashing_record_every_time(
    run_import, small_export, edit_export
):
    # given
    export = edit_export(small_export, _with_clashing_template)
    first = run_import(export)
    assert ("sms_templates", "SMS999999", "commands") in _verdicts(first)
    assert ("sms_templates", "SMS000020") not in {(e.list, e.record) for e in first.refused}
    # when
    second = run_import(export)
    # then
    assert _verdicts(second) == _verdicts(first)
    for name, counts in second.counts.items():
        assert counts["created"] == counts["updated"] == 0, name
    assert SmsCommand.objects.filter(template__code="SMS999999").count() == 0
    assert SmsCommand.objects.filter(template__code="SMS000020").exists()
    assert Menu.objects.filter(code="sms-main").exists()
