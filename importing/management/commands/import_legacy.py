"""manage.py import_legacy EXPORT_DIR [--dry-run] [--report FILE] [--org CODE] [--push]"""

import sys
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from importing import outbox
from importing.runner import import_export
from importing.progress import Progress

HEADERS = ("list", "created", "updated", "unchanged", "refused")


class _Stream:
    """Writes through the command's stdout without adding line endings."""

    def __init__(self, out):
        self.out = out

    def write(self, text):
        self.out.write(text, ending="")

    def flush(self):
        self.out.flush()

    def isatty(self):
        return self.out.isatty()


class Command(BaseCommand):
    help = (
        "Import a legacy channel export (legacy-channel-export/1): organisations, brands, accounts, packages, "
        "businesses, SMS templates, menus, keyword replies, template messages, images and articles. "
        "Exits 1 when any record was refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("export_dir", help="folder holding export.json and images/")
        parser.add_argument("--dry-run", action="store_true", help="validate and report without writing")
        parser.add_argument("--report", metavar="FILE", help="write the JSON report to FILE")
        parser.add_argument("--org", metavar="CODE", help="import only this organisation's estate")
        parser.add_argument(
            "--push", action="store_true",
            help="push the menu versions the import publishes to their live channels (by default nothing is pushed)",
        )

    def handle(self, export_dir, dry_run=False, report=None, org=None, push=False, **options):
        translation.activate(settings.LANGUAGE_CODE)
        progress = Progress(_Stream(self.stdout))
        try:
            result = import_export(export_dir, dry_run=dry_run, org=org, progress=progress, push=push)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if report:
            Path(report).write_text(result.to_json() + "\n", encoding="utf-8")
        self._summary(result)
        for error in result.refused:
            self.stderr.write(str(error))
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        if result.exit_status:
            sys.exit(result.exit_status)

    def _summary(self, result):
        rows = [HEADERS] + [tuple(str(v) for v in row) for row in result.rows()]
        totals = [sum(int(row[i]) for row in rows[1:]) for i in range(1, 5)]
        rows.append(("total", *map(str, totals)))
        widths = [max(len(row[i]) for row in rows) for i in range(5)]
        line = "  ".join("-" * w for w in widths)
        self.stdout.write("")
        if result.dry_run:
            self.stdout.write("dry run: nothing was written")
        for index, row in enumerate(rows):
            self.stdout.write("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))))
            if index in (0, len(rows) - 2):
                self.stdout.write(line)
        self._side_effects(result)

    def _side_effects(self, result):
        """What the run queued beyond its rows: nothing reaches a live channel without --push."""
        queued = result.queued
        pushes = queued.get(outbox.MENU_PUSH, 0)
        if result.completed_earlier:
            self.stdout.write("completed for an earlier run: " + _counts(result.completed_earlier))
        self.stdout.write("queued: " + (_counts(queued) if queued else "nothing"))
        if pushes:
            self.stdout.write(f"queued for push to live channels: {pushes} menu versions")
        else:
            self.stdout.write("pushed to live channels: nothing" + ("" if result.dry_run else " (use --push to push menus)"))


def _counts(counts):
    return ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items()))
