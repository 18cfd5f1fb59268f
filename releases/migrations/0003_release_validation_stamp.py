from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("releases", "0002_releaseitem_kind_slot"),
    ]

    operations = [
        migrations.AddField(
            model_name="release",
            name="validation_stamp",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
    ]
