"""manage.py import_slots DIR: load DIR/slots.json (promotion-slots/1), as bin/run does after the sample import."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from importing.promotions import load_slots


class Command(BaseCommand):
    help = "Check, store and publish the promotion slots of DIR/slots.json (all or none). See docs/sample-data.md."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="folder holding slots.json (make_sample writes one)")

    def handle(self, directory, **options):
        path = Path(directory) / "slots.json"
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        codes, errors = load_slots(document)
        if errors:
            raise CommandError("\n".join(str(error) for error in errors))
        self.stdout.write(f"{path}: {len(codes)} slots published: {', '.join(codes)}")
