"""An index for the editorial status (content.status): the 已计划 test asks for an
item's revisions approved to go live later. Without it that test reads every revision
of the model (18,000 for SMS templates at full scale); with it, only the scheduled
ones, usually none. Partial, so it stays as small as the schedule."""

from django.db import migrations

INDEX = "content_revision_scheduled"


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0007_auto_reply_shared_by_organisation"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailcore_revision (base_content_type_id, object_id) "
            "WHERE approved_go_live_at IS NOT NULL",
            f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
