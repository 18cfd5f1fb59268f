"""Give the role groups (编辑, 发布审核) back the permissions they are meant to have:

    python manage.py sync_roles --dry-run   # list what is missing
    python manage.py sync_roles             # add it

`migrate` grants them once, when it creates the database; a permission an operator
removed later stays removed until this command runs. Nothing is taken away."""

from django.core.management.base import BaseCommand
from django.db import transaction

from content import roles


class Command(BaseCommand):
    help = "Add the permissions the role groups are meant to have and lack (--dry-run: only list them)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list what is missing, change nothing")

    def handle(self, *args, dry_run=False, **options):
        with transaction.atomic():
            missing = roles.missing_permissions() if dry_run else roles.sync_role_groups()
            if dry_run:
                transaction.set_rollback(True)  # not even a missing group is created
        verb = "would add" if dry_run else "added"
        for name, permissions in missing.items():
            for permission in permissions:
                self.stdout.write(f"{name}: {verb} {permission.content_type.app_label}.{permission.codename}")
        total = sum(len(p) for p in missing.values())
        self.stdout.write(f"{total} permission(s) {verb}" if total else "role groups complete: nothing to add")
