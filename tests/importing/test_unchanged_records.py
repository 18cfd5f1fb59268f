"""A re-import skips a record it knows unchanged (importing.digests) only while
nothing the verdict rests on changed: an editor's edit, a link changed behind the
editor's back, or a refused record it depends on still count."""

from content.models import SmsTemplate
from harness.export import record
from importing import outbox
from importing.articles import ArticlesList
from importing.catalogue import BusinessesList, PackagesList
from importing.sms import SmsTemplatesList
from importing.wechat import KeywordRepliesList, TemplateMessagesList


def test_an_editors_change_is_overwritten_by_reimporting_the_unchanged_export(run_import, small_export):
    # given
    run_import(small_export)
    template = SmsTemplate.objects.get(code="SMS000010")
    exported = template.text
    template.text = exported + "(编辑修改)"
    template.save_revision().publish()
    # when
    report = run_import(small_export)
    # then
    assert report.counts["sms_templates"]["updated"] == 1
    assert SmsTemplate.objects.get(code="SMS000010").text == exported


def test_a_link_changed_without_a_revision_is_restored_by_a_reimport(run_import, small_export):
    # given
    run_import(small_export)
    template = SmsTemplate.objects.filter(brands__isnull=False).order_by("code").first()
    brands = set(template.brands.values_list("pk", flat=True))
    SmsTemplate.brands.through.objects.filter(smstemplate_id=template.pk).delete()
    # when
    report = run_import(small_export)
    # then
    assert report.counts["sms_templates"]["updated"] == 1
    assert set(SmsTemplate.objects.get(pk=template.pk).brands.values_list("pk", flat=True)) == brands


def test_unchanged_records_of_a_refused_organisation_are_refused_too(run_import, small_export, edit_export):
    # given
    run_import(small_export)
    org = SmsTemplate.objects.order_by("code").first().organisation.code

    def refuse_org(data):
        record(data, "organisations", org)["name"] = ""

    # when
    report = run_import(edit_export(small_export, refuse_org))
    # then
    refused = {(e.list, e.record) for e in report.refused}
    assert ("organisations", org) in refused
    own = set(SmsTemplate.objects.filter(organisation__code=org).values_list("code", flat=True))
    assert own and {("sms_templates", code) for code in own} <= refused


def test_an_unchanged_reimport_reads_none_of_the_records(
    run_import, small_export, monkeypatch, django_assert_max_num_queries
):
    # given: a first run, its side effects completed (the test's transaction never commits)
    run_import(small_export)
    outbox.drain()
    read = []
    for list_class in (TemplateMessagesList, PackagesList, BusinessesList, SmsTemplatesList, KeywordRepliesList,
                       ArticlesList):
        monkeypatch.setattr(list_class, "read", lambda self, record, errors: read.append(record))
    # when: a statement or two per list, and the menus' own checks
    with django_assert_max_num_queries(250):
        report = run_import(small_export)
    # then
    assert read == []
    assert all(c["created"] == 0 and c["updated"] == 0 for c in report.counts.values())
    assert report.counts["sms_templates"]["unchanged"] == SmsTemplate.objects.count()
