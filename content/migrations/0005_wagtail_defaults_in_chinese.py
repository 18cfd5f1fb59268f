"""Wagtail's own starting data in Chinese: its default groups, its page workflow and
the starting page (the project keeps no pages; Wagtail's tree needs its root and
site). Names only, so users, permissions and history stay as they were. The
project's own roles (编辑, 发布审核) are synced by content.roles, not here."""

from django.db import migrations

GROUPS = {"Moderators": "页面审核员(Wagtail 默认)", "Editors": "页面编辑(Wagtail 默认)"}
WORKFLOW = {"Moderators approval": "页面审核(Wagtail 默认)"}
WELCOME = {"Welcome to your new Wagtail site!": "渠道内容中心"}


def rename(model, field, names):
    for old, new in names.items():
        if not model.objects.filter(**{field: new}).exists():
            model.objects.filter(**{field: old}).update(**{field: new})


def forwards(apps, schema_editor):
    rename(apps.get_model("auth", "Group"), "name", GROUPS)
    rename(apps.get_model("wagtailcore", "Workflow"), "name", WORKFLOW)
    rename(apps.get_model("wagtailcore", "Task"), "name", WORKFLOW)
    page = apps.get_model("wagtailcore", "Page")
    for old, new in WELCOME.items():
        page.objects.filter(title=old).update(title=new)
        page.objects.filter(draft_title=old).update(draft_title=new)


def backwards(apps, schema_editor):
    rename(apps.get_model("auth", "Group"), "name", {v: k for k, v in GROUPS.items()})
    rename(apps.get_model("wagtailcore", "Workflow"), "name", {v: k for k, v in WORKFLOW.items()})
    rename(apps.get_model("wagtailcore", "Task"), "name", {v: k for k, v in WORKFLOW.items()})
    page = apps.get_model("wagtailcore", "Page")
    for old, new in WELCOME.items():
        page.objects.filter(title=new, depth=2).update(title=old)
        page.objects.filter(draft_title=new, depth=2).update(draft_title=old)


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0004_channelaccount_keep_replaced_articles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailcore", "0098_apitoken"),
        # Wagtail's apps grant their permissions to the default groups by these names first.
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
