"""Wagtail's ``publish_scheduled`` with referential integrity (content.services.scheduled):
an expired item that a live item still needs stays live, and one refused go-live does
not stop the others."""

from wagtail.management.commands.publish_scheduled import Command as WagtailCommand

from content.services.scheduled import expire, go_live


class Command(WagtailCommand):
    help = "Publish the revisions scheduled to go live and unpublish expired items, keeping what live items need."

    def handle(self, *args, **options):
        if options["dryrun"]:
            return super().handle(*args, **options)
        _expired, refused = expire()
        for blocker in refused:
            self.stdout.write(f"到期下线被拒绝:{blocker.message}")
        for revision in go_live():
            self.stdout.write(f"定时上线被拒绝:{revision.object_str}")
