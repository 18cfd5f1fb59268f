"""The --dirty export: each bad record is refused naming list, record and field;
every other record still arrives."""

from content.models import Article, Package, SmsCommand, SmsTemplate
from harness.export import read
from tests.importing.test_full_import import MODELS

# (list, record) -> the export field the refusal must name (a prefix for menu nodes)
BAD_RECORDS = {
    ("packages", "PKG0001"): "code",  # the repeated copy; the first PKG0001 stands
    ("packages", "PKGBAD1"): "brands",
    ("packages", "PKGBAD2"): "monthly_fee",
    ("sms_templates", "SMSBAD1"): "text",
    ("sms_templates", "SMSBAD2"): "text",
    ("sms_templates", "SMSBAD3"): "org",
    ("menus", "menu-bad-wechat"): "nodes",
    ("articles", "ARTBAD1"): "cover_image",
}


def test_dirty_export_refuses_each_bad_record_by_code_and_field_and_imports_the_rest(run_import, dirty_export):
    # given
    data = read(dirty_export)
    # when
    report = run_import(dirty_export)
    # then
    refused = {}
    for error in report.refused:
        refused.setdefault((error.list, error.record), []).append(error)
    scope = set()  # refused in the clean export as well
    assert set(refused) == set(BAD_RECORDS) | scope, sorted(refused)
    for key, field in BAD_RECORDS.items():
        assert any(e.field.startswith(field) and e.message for e in refused[key]), (key, refused[key])
    assert report.exit_status == 1
    for name, model in MODELS.items():
        bad = sum(1 for (list_name, _code) in set(BAD_RECORDS) | scope if list_name == name)
        assert model.objects.count() == len(data[name]) - bad, name
        assert report.counts[name]["created"] == len(data[name]) - bad, name
    assert report.counts["menus"]["created"] == len(data["menus"]) - 1
    assert Package.objects.filter(code="PKG0001").count() == 1
    assert not SmsTemplate.objects.filter(code__startswith="SMSBAD").exists()
    assert not Article.objects.filter(code="ARTBAD1").exists()


def test_refused_records_leave_nothing_behind(run_import, dirty_export):
    # given / when
    run_import(dirty_export)
    # then: no row, revision, binding or index entry of a refused record
    from wagtail.models import ModelLogEntry, Revision

    assert not Revision.objects.filter(object_str__in=["SMSBAD1", "SMSBAD2", "SMSBAD3"]).exists()
    assert not ModelLogEntry.objects.filter(label__in=["SMSBAD1", "SMSBAD2", "SMSBAD3"]).exists()
    assert not SmsCommand.objects.filter(template__code__startswith="SMSBAD").exists()
    assert not Package.objects.filter(code__startswith="PKGBAD").exists()
