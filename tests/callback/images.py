"""A small real image in the library, for covers."""

import io

from django.core.files.images import ImageFile
from PIL import Image
from wagtail.models import Collection

from media.models import LibraryImage


def make_image(organisation, code="IMG-COVER"):
    # A transactional test elsewhere may have flushed the root collection migrations made.
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 600), (20, 120, 200)).save(buffer, format="PNG")
    return LibraryImage.objects.create(
        title="封面", code=code, organisation=organisation, file=ImageFile(buffer, name=f"{code}.png")
    )
