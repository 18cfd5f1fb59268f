"""Codes are the identity: re-importing changes nothing, a changed export updates
exactly the changed records, each with a new revision."""

import io

from wagtail.search.models import IndexEntry
from PIL import Image
from wagtail.models import ModelLogEntry, Revision

from content.models import Article, AutoReply, Organisation, Package, SmsCommand, SmsTemplate, TemplateMessage
from media.models import LibraryImage
from harness.export import record


def _footprint():
    return {
        "revisions": Revision.objects.count(),
        "logs": ModelLogEntry.objects.count(),
        "bindings": SmsCommand.objects.count(),
        "index": IndexEntry.objects.count(),
        "images": list(LibraryImage.objects.order_by("code").values_list("file", flat=True)),
    }


def test_reimporting_the_same_export_changes_nothing(run_import, small_export):
    # given
    run_import(small_export)
    before = _footprint()
    # when
    report = run_import(small_export)
    # then
    assert all(c["created"] == 0 and c["updated"] == 0 for c in report.counts.values())
    assert report.counts["sms_templates"]["unchanged"] == SmsTemplate.objects.count()
    assert _footprint() == before


def _png(colour):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return out.getvalue()


def test_a_changed_export_updates_exactly_the_changed_records_with_a_new_revision_each(
    run_import, small_export, edit_export
):
    # given
    run_import(small_export)
    LibraryImage.objects.get(code="IMG0003").get_rendition("width-20")
    revisions_before = Revision.objects.count()

    def change(data):
        record(data, "sms_templates", "SMS000010")["text"] += "详询10086。"
        record(data, "packages", "PKG0005")["monthly_fee"] = "77.00"
        record(data, "articles", "ART00002")["title"] = "新标题"
        record(data, "organisations", "SX-02")["name"] = "宝鸡市分公司"
        record(data, "template_messages", "bill_ready")["title"] = "账单已出"
        data["keyword_replies"][0]["reply"]["text"] = "请回复1查询话费。"

    changed = edit_export(small_export, change)
    (changed / "images" / "IMG0003.png").write_bytes(_png((1, 2, 3)))
    # when
    report = run_import(changed)
    # then
    updated = {name: c["updated"] for name, c in report.counts.items() if c["updated"]}
    assert updated == {
        "sms_templates": 1, "packages": 1, "articles": 1, "organisations": 1, "template_messages": 1,
        "keyword_replies": 1, "images": 1,
    }
    assert sum(c["created"] for c in report.counts.values()) == 0
    assert Revision.objects.count() == revisions_before + 5  # images and organisations keep no revisions
    template = SmsTemplate.objects.get(code="SMS000010")
    assert template.text.endswith("详询10086。")
    assert template.revisions.count() == 2
    assert template.live_revision_id == template.latest_revision_id
    assert template.live_revision.content["text"] == template.text
    assert str(Package.objects.get(code="PKG0005").monthly_fee) == "77.00"
    article = Article.objects.get(code="ART00002")
    assert article.title == "新标题" and article.live and not article.has_unpublished_changes
    assert list(ModelLogEntry.objects.for_instance(article).order_by("id").values_list("action", flat=True)) == [
        "wagtail.create", "wagtail.publish", "wagtail.edit", "wagtail.rename", "wagtail.publish",
    ]
    assert Organisation.objects.get(code="SX-02").name == "宝鸡市分公司"
    assert TemplateMessage.objects.get(code="bill_ready").title == "账单已出"
    assert AutoReply.objects.filter(reply_text="请回复1查询话费。").count() == 1
    image = LibraryImage.objects.get(code="IMG0003")
    assert (image.width, image.height) == (40, 30)
    assert image.renditions.count() == 0  # stale renditions of the replaced file are gone
    # and a second run of the changed export is a no-op
    again = run_import(changed)
    assert all(c["created"] == 0 and c["updated"] == 0 for c in again.counts.values())


def test_moving_a_command_to_another_template_rebinds_it(run_import, small_export, edit_export):
    # given
    run_import(small_export)
    data_source = [t for t in SmsTemplate.objects.exclude(commands=[]).order_by("code")[:1]][0]
    command = data_source.commands[0]

    def change(data):
        source = record(data, "sms_templates", data_source.code)
        source["commands"] = [c for c in source["commands"] if c.upper() != command]
        record(data, "sms_templates", "SMS000299")["commands"].append(command)
        for menu in data["menus"]:  # the menu leaf now answers with the other template
            stack = list(menu["nodes"])
            while stack:
                node = stack.pop()
                stack += node.get("children") or []
                if (node.get("command") or "").upper() == command:
                    node["reply_template"] = "SMS000299"

    # when
    report = run_import(edit_export(small_export, change))
    # then
    assert {e.list for e in report.refused} <= {"articles"}, report.refused  # only the sales-scope refusals
    assert SmsCommand.objects.get(command=command).template.code == "SMS000299"


def test_scheduled_articles_wait_and_stay_unchanged_on_reimport(run_import, small_export, edit_export):
    # given
    run_import(small_export)
    live_code = Article.objects.filter(live=True).order_by("code").first().code

    def schedule(data):
        article = record(data, "articles", live_code)
        article["title"] = "下周上线的新版本"
        article["publish_at"] = "2031-05-01T09:00:00+08:00"

    scheduled_export = edit_export(small_export, schedule)
    # when
    report = run_import(scheduled_export)
    # then: the live version stays until go_live_at, the new one waits in a revision
    assert report.counts["articles"]["updated"] == 1
    article = Article.objects.get(code=live_code)
    assert article.live and article.title != "下周上线的新版本" and article.has_unpublished_changes
    pending = article.latest_revision
    assert pending.approved_go_live_at is not None and pending.content["title"] == "下周上线的新版本"
    assert run_import(scheduled_export).counts["articles"] == {
        "created": 0, "updated": 0, "unchanged": Article.objects.count()
    }


def test_a_scheduled_article_goes_live_when_wagtail_publishes_scheduled_revisions(run_import, small_export):
    # given: an imported article scheduled for 2030
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    run_import(small_export)
    article = Article.objects.filter(live=False).order_by("code").first()
    assert article.go_live_at > timezone.now() and article.latest_revision.approved_go_live_at == article.go_live_at
    # when: its time has come (moved back rather than waiting until 2030)
    past = timezone.now() - datetime.timedelta(minutes=1)
    Article.objects.filter(pk=article.pk).update(go_live_at=past)
    revision = article.latest_revision
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    call_command("publish_scheduled")
    # then
    article.refresh_from_db()
    assert article.live and article.live_revision_id == article.latest_revision_id


def test_a_record_an_editor_has_locked_is_refused_not_overwritten(run_import, small_export, edit_export, superuser):
    # given: an editor holds the lock on a template
    run_import(small_export)
    SmsTemplate.objects.filter(code="SMS000011").update(locked=True, locked_by=superuser)

    def change(data):
        record(data, "sms_templates", "SMS000011")["text"] += "详询10086。"
        record(data, "sms_templates", "SMS000012")["text"] += "详询10086。"

    # when
    report = run_import(edit_export(small_export, change))
    # then
    assert [(e.list, e.record, e.field) for e in report.refused if e.list == "sms_templates"] == [
        ("sms_templates", "SMS000011", "__all__")
    ]
    assert not SmsTemplate.objects.get(code="SMS000011").text.endswith("详询10086。")
    assert SmsTemplate.objects.get(code="SMS000012").text.endswith("详询10086。")
