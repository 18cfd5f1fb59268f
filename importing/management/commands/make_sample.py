"""manage.py make_sample OUT_DIR [--scale small|full] [--dirty] [--seed N]"""

import time

from django.core.management.base import BaseCommand, CommandError

from importing.samples.builder import DEFAULT_SEED, build
from importing.samples.scales import SCALES


class Command(BaseCommand):
    help = (
        "Write a sample legacy channel export (legacy-channel-export/1): OUT_DIR/export.json and OUT_DIR/images/*.png. "
        "Same scale and seed, same bytes. See docs/sample-data.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("out_dir", help="folder to write export.json and images/ into (created if missing)")
        parser.add_argument("--scale", choices=sorted(SCALES), default="small",
                            help="small: every list and node type, for tests; full: the province's whole estate")
        parser.add_argument("--dirty", action="store_true", help="append the records an import must refuse")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")

    def handle(self, out_dir, scale="small", dirty=False, seed=DEFAULT_SEED, **options):
        started = time.monotonic()
        try:
            counts = build(out_dir, scale, dirty=dirty, seed=seed)
        except OSError as exc:
            raise CommandError(f"cannot write {out_dir}: {exc}") from exc
        summary = ", ".join(f"{name} {count}" for name, count in counts.items())
        self.stdout.write(f"{out_dir}: {scale}{' (dirty)' if dirty else ''}, seed {seed}, "
                          f"{time.monotonic() - started:.1f}s: {summary}")
