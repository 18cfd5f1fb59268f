from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("importing", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportedRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("list_name", models.CharField(max_length=40, verbose_name="列表")),
                ("record", models.TextField(verbose_name="记录")),
                ("object_id", models.BigIntegerField(verbose_name="对象 ID")),
                ("digest", models.CharField(max_length=32, verbose_name="记录摘要")),
                ("row_digest", models.CharField(max_length=32, verbose_name="数据行摘要")),
                ("warnings", models.JSONField(blank=True, default=list, verbose_name="警告")),
            ],
            options={
                "verbose_name": "已导入的记录",
                "verbose_name_plural": "已导入的记录",
                "constraints": [
                    models.UniqueConstraint(fields=("list_name", "record"), name="importing_record_once_per_list")
                ],
            },
        ),
    ]
