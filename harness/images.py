"""Real (small) images: encoded bytes for uploads, and library images for covers and
bodies, for the tests and the publishing benchmark alike."""

import io

from django.core.files.images import ImageFile
from PIL import Image
from wagtail.models import Collection

from media.models import LibraryImage


def image_bytes(color=(20, 120, 200), size=(1200, 600), format="PNG"):
    """An encoded image of one colour (JPEG at quality 80)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format, **({"quality": 80} if format == "JPEG" else {}))
    return buffer.getvalue()


def make_image(organisation=None, code=None, *, title=None, color=(20, 120, 200), size=(1200, 600), format="PNG",
               **fields):
    """A library image of ``organisation``, placed in its collection."""
    # A transactional test elsewhere may have flushed the root collection migrations made.
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    title = title or code or "图片"
    fields.setdefault("description", "配图")
    extension = "jpg" if format == "JPEG" else format.lower()
    data = image_bytes(color, size, format)
    return LibraryImage.objects.create(
        title=title, code=code, organisation=organisation,
        file=ImageFile(io.BytesIO(data), name=f"{code or title}.{extension}"), **fields,
    )
