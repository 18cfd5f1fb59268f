"""The push batches of runs made before batches carried their run (publishing.runs):
marked now, so the dashboard shows each past go-live and rollback as one row. The key
and label are releases.fanout's run_key and run_label, as they were written then."""

from django.db import migrations

ACTIONS = {"go_live": "上线", "rollback": "回滚"}


def mark_run_batches(apps, schema_editor):
    RunBatch = apps.get_model("releases", "RunBatch")
    PublishBatch = apps.get_model("publishing", "PublishBatch")
    rows = RunBatch.objects.exclude(batch=None).values_list(
        "batch_id", "run__release_id", "run__action", "run__release__code", "run__release__title"
    )
    for batch_id, release_id, action, code, title in rows.iterator():
        PublishBatch.objects.filter(pk=batch_id, run_key="").update(
            run_key=f"release:{release_id}:{action}"[:64],
            run_label=f"[{code}] {title} · {ACTIONS.get(action, action)}"[:200],
        )


class Migration(migrations.Migration):
    # tuples: Django copies them into lists per instance
    dependencies = (
        ("releases", "0003_release_validation_stamp"),
        ("publishing", "0008_publishbatch_run"),
    )
    operations = (migrations.RunPython(mark_run_batches, migrations.RunPython.noop),)
