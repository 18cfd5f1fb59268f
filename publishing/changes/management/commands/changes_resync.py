"""manage.py changes_resync: write the change rows the log misses (after a bulk
import or a restore), so front ends syncing with changes(since) catch up."""

from django.core.management.base import BaseCommand

from publishing.changes.services import resync


class Command(BaseCommand):
    help = "Bring the change log in line with what is published now (after bulk writes)."

    def handle(self, *args, **options):
        rows = resync()
        self.stdout.write(f"{len(rows)} change(s) written")
