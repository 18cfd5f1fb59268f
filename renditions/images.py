"""Image renditions of every channel, produced once per filter spec and stored in
the configured storage (S3 in production) by Wagtail's rendition machinery.

All images an item references are fetched in ONE query with their renditions
prefetched for every channel's specs; ``get_renditions`` then finds existing
renditions in the prefetched set, so a second render touches no image code."""

from django.db.models import Q
from wagtail.images.models import Filter, SourceImageIOError

from media.models import LibraryImage

from .rendition import MINIPROGRAM, WEB, WECHAT

# Responsive widths of the web site's srcset.
WEB_WIDTHS = (480, 800, 1200)
WEB_SPECS = tuple(f"width-{width}" for width in WEB_WIDTHS)
# WeChat's uploadimg takes jpg/png under 1 MB; 1080 px wide JPEG stays well under it.
WECHAT_BODY_SPEC = "width-1080|format-jpeg|jpegquality-85"
# The article cover WeChat shows at 2.35:1, uploaded as permanent material (thumb_media_id).
WECHAT_COVER_SPEC = "fill-900x383|format-jpeg|jpegquality-85"
# The square (1:1) thumb WeChat shows in message lists and shares.
WECHAT_THUMB_SPEC = "fill-383x383|format-jpeg|jpegquality-85"
WECHAT_COVER_SIZE = (900, 383)
# Mini-program pages are designed at 750 rpx; 750 px images are sharp on 2x screens.
MINIPROGRAM_WIDTH = 750
MINIPROGRAM_SPEC = f"width-{MINIPROGRAM_WIDTH}"

BODY_SPECS = {WEB: WEB_SPECS, WECHAT: (WECHAT_BODY_SPEC,), MINIPROGRAM: (MINIPROGRAM_SPEC,)}
COVER_SPECS = {WEB: WEB_SPECS, WECHAT: (WECHAT_COVER_SPEC, WECHAT_THUMB_SPEC), MINIPROGRAM: (MINIPROGRAM_SPEC,)}
ALL_SPECS = tuple(dict.fromkeys(s for specs in (*BODY_SPECS.values(), *COVER_SPECS.values()) for s in specs))
# One Filter per spec for the process: a Filter parses its operations once and
# Wagtail asks them again for every rendition lookup (the focal-point cache key).
FILTERS = {spec: Filter(spec=spec) for spec in ALL_SPECS}


def filter_for(spec):
    return FILTERS.get(spec) or Filter(spec=spec)


class ImageSet:
    """The images one item references, loaded in one query (plus one for renditions)."""

    def __init__(self, images):
        self.by_id = {}
        self.by_code = {}
        self._renditions = {}
        # Images whose original file cannot be read: renderers treat them as missing.
        self.unreadable = set()
        self.add(images)

    def add(self, images):
        for image in images:
            self.by_id[image.pk] = image
            if image.code:
                self.by_code[image.code] = image

    @classmethod
    def load(cls, ids=(), codes=(), specs=ALL_SPECS):
        ids, codes = set(ids), set(codes)
        if not ids and not codes:
            return cls([])
        images = LibraryImage.objects.filter(Q(pk__in=ids) | Q(code__in=codes)).prefetch_renditions(*specs)
        return cls(list(images))

    def get(self, image_id=None, code=None):
        if image_id is not None:
            return self.by_id.get(image_id)
        return self.by_code.get(code)

    def renditions(self, image, specs):
        """{spec: rendition} for the image; creates the missing ones once, then reuses them.
        None when a rendition has to be made and the original file cannot be read."""
        key = (image.pk, specs)
        if key not in self._renditions:
            try:
                self._renditions[key] = image.get_renditions(*(filter_for(spec) for spec in specs))
            except SourceImageIOError:
                self.unreadable.add(image.pk)
                self._renditions[key] = None
        return self._renditions[key]

    def url(self, image, spec):
        renditions = self.renditions(image, (spec,))
        return renditions[spec].full_url if renditions else None


def wechat_cover(item):
    """The cover rendition (900x383, 2.35:1) the publisher uploads as permanent
    material for ``thumb_media_id``; None when the item has no cover."""
    image_id = getattr(item, "cover_image_id", None)
    if image_id is None:
        return None
    image = LibraryImage.objects.filter(pk=image_id).prefetch_renditions(WECHAT_COVER_SPEC).first()
    return image.get_rendition(filter_for(WECHAT_COVER_SPEC)) if image else None


def wechat_cover_url(image):
    """Absolute URL of the WeChat cover rendition of ``image``: the spec the publisher
    uploads as ``thumb_media_id``, also the picture of the callback's news replies."""
    return image.get_rendition(filter_for(WECHAT_COVER_SPEC)).full_url


def wechat_reply_image_bytes(image):
    """The file an image auto-reply uploads as a permanent material (the 1080 px JPEG
    rendition): the publisher uploads these bytes and the reply table finds the
    material by their hash."""
    rendition = image.get_rendition(filter_for(WECHAT_BODY_SPEC))
    with rendition.file.open("rb") as handle:
        return handle.read()


def wechat_body_renditions(image_ids):
    """{image id: rendition} of the body images the publisher uploads with uploadimg (one query)."""
    images = LibraryImage.objects.filter(pk__in=set(image_ids)).prefetch_renditions(WECHAT_BODY_SPEC)
    return {image.pk: image.get_rendition(filter_for(WECHAT_BODY_SPEC)) for image in images}


def prepare_renditions(images, specs=ALL_SPECS):
    """Produce every channel's renditions for ``images`` (idempotent); returns how many were created."""
    created = 0
    for image in images:
        existing = {r.filter_spec for r in getattr(image, "prefetched_renditions", None) or image.renditions.all()}
        missing = [spec for spec in specs if spec not in existing]
        if missing:
            image.get_renditions(*(filter_for(spec) for spec in missing))
            created += len(missing)
    return created
