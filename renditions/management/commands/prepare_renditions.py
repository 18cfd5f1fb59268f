"""Produce every channel's image renditions ahead of publishing, so rendering
touches no image code (run after an import or a bulk image upload)."""

from django.core.management.base import BaseCommand

from media.models import LibraryImage
from renditions.images import ALL_SPECS, prepare_renditions

BATCH = 200


class Command(BaseCommand):
    help = "Create the web, WeChat and mini-program renditions of every library image (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--code", action="append", default=[], help="only the images with these codes")

    def handle(self, code, **options):
        queryset = LibraryImage.objects.order_by("pk")
        if code:
            queryset = queryset.filter(code__in=code)
        created = total = 0
        last = 0
        while True:
            batch = list(queryset.filter(pk__gt=last).prefetch_renditions(*ALL_SPECS)[:BATCH])
            if not batch:
                break
            created += prepare_renditions(batch)
            total += len(batch)
            last = batch[-1].pk
        self.stdout.write(f"{total} images, {created} renditions created ({len(ALL_SPECS)} specs each)")
