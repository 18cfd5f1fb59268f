"""Publish batches store the kinds registry's codes (content/kinds.py), the ones the
change log and the GraphQL feed use: "template" becomes "sms_template" and
"autoreply" becomes "auto_reply". Reversible: going back renames the rows back."""

from django.db import migrations, models

RENAMED = {"template": "sms_template", "autoreply": "auto_reply"}


def _rename(apps, mapping):
    PublishBatch = apps.get_model("publishing", "PublishBatch")
    for old, new in mapping.items():
        PublishBatch.objects.filter(kind=old).update(kind=new)


def forwards(apps, schema_editor):
    _rename(apps, RENAMED)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="publishbatch",
            name="kind",
            field=models.CharField(
                choices=[
                    ("article", "图文"),
                    ("package", "资费套餐"),
                    ("business", "增值业务"),
                    ("sms_template", "短信模板"),
                    ("auto_reply", "自动回复"),
                    ("template_message", "模板消息"),
                    ("menu", "菜单"),
                ],
                max_length=32,
                verbose_name="类型",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
