"""The legacy import binds an SMS template's commands per record brand, as the admin
does: two records may answer one command for different brands; the same brand twice
is refused, naming the record and its field."""

from content.models import SmsCommand
from content.services.sms_commands import resolve
from harness.export import record


def _brand_replies(data):
    """SMS000020 stays the default of its commands; two brand replies join it, and a
    third record asks for the 全球通 one again."""
    base = record(data, "sms_templates", "SMS000020")
    command = base["commands"][0]
    brands = [b["code"] for b in data["brands"]][:2]
    for code, brand in (
        ("SMSB00001", brands[0]),
        ("SMSB00002", brands[1]),
        ("SMSB00003", brands[0]),
    ):
        data["sms_templates"].append(
            {
                **base,
                "code": code,
                "brands": [brand],
                "commands": [command],
                "text": base["text"] + "。",
            }
        )


def test_brand_records_answer_one_command_beside_the_default_and_a_brand_clash_is_refused(
    run_import, small_export, edit_export
):
    # given
    export = edit_export(small_export, _brand_replies)
    # when
    report = run_import(export)
    # then the third record, a second reply of the first brand, is refused on commands
    refused = {(e.list, e.record, e.field) for e in report.refused}
    assert ("sms_templates", "SMSB00003", "commands") in refused
    assert not {r for r in refused if r[1] in ("SMS000020", "SMSB00001", "SMSB00002")}
    default = SmsCommand.objects.select_related("template").get(
        template__code="SMS000020", brand=None
    )
    first, second = (
        b.brand.code
        for b in SmsCommand.objects.filter(
            template__code__in=["SMSB00001", "SMSB00002"], command=default.command
        ).order_by("template__code")
    )
    # and each brand's customers get their reply, any other caller the default
    assert resolve(default.account, default.command, first).code == "SMSB00001"
    assert resolve(default.account, default.command, second).code == "SMSB00002"
    assert resolve(default.account, default.command, None).code == "SMS000020"
    assert not SmsCommand.objects.filter(template__code="SMSB00003").exists()
