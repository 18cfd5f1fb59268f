"""Images: body images (media/uploadimg) and permanent covers (material/add_material),
uploaded once per content hash and account (``UploadedAsset``)."""

import hashlib
import logging

from django.db import transaction

from .. import limits, quota
from ..errors import DailyQuotaExceeded, LimitViolation
from ..models import UploadedAsset
from ..payloads import Material

log = logging.getLogger("wechat")
_IMAGE_TYPES = {"jpeg": ("jpg", "image/jpeg"), "png": ("png", "image/png"), "gif": ("gif", "image/gif"),
                "bmp": ("bmp", "image/bmp")}


class MaterialCalls:
    def upload_body_image(self, data: bytes) -> str:
        """URL of an image for article bodies (media/uploadimg, JPG/PNG under 1 MB)."""
        return self._upload_once("uploadimg", data).url

    def add_cover(self, data: bytes, kind: str = "image") -> Material:
        """A permanent image (or 64 KB JPG thumb) for draft covers (material/add_material)."""
        if kind not in ("image", "thumb"):
            raise ValueError(f"cover kind must be image or thumb, not {kind!r}")
        asset = self._upload_once(kind, data)
        return Material(asset.media_id, asset.url)

    def forget_upload(self, media_id: str = "", url: str = "") -> int:
        """Drop the record of an upload WeChat no longer has, so it is uploaded again."""
        assets = UploadedAsset.objects.filter(app_id=self.app_id)
        return assets.filter(media_id=media_id).delete()[0] if media_id else assets.filter(url=url).delete()[0]

    def _upload_once(self, kind, data):
        endpoint = "media/uploadimg" if kind == "uploadimg" else "material/add_material"
        violations = limits.check_image(data, kind)
        if violations:
            raise LimitViolation(endpoint, violations)
        lookup = {"app_id": self.app_id, "content_hash": hashlib.sha256(data).hexdigest(), "kind": kind}
        asset = UploadedAsset.objects.filter(**lookup).first()
        if asset and asset.uploaded:
            return asset
        ext, content_type = _IMAGE_TYPES[limits.sniff_image(data)]
        try:
            with transaction.atomic():
                # The row lock makes a concurrent upload of the same image wait for this one.
                UploadedAsset.objects.get_or_create(**lookup, defaults={"size": len(data)})
                asset = UploadedAsset.objects.select_for_update().get(**lookup)
                if not asset.uploaded:
                    files = {"media": (f"{lookup['content_hash'][:16]}.{ext}", data, content_type)}
                    params = None if kind == "uploadimg" else {"type": kind}
                    answer = self._call(endpoint, files=files, params=params)
                    asset.media_id, asset.url = answer.get("media_id", ""), answer.get("url", "")
                    asset.save(update_fields=["media_id", "url"])
                    log.info("%s: uploaded %s image %s (%d bytes)", self.app_id, kind, lookup["content_hash"][:12],
                             len(data))
        except DailyQuotaExceeded as exc:
            # The pause was written inside the block that just rolled back: keep it.
            if exc.paused_until:
                quota.record_pause(self.app_id, exc.paused_until, exc.endpoint, exc.reason)
            raise
        return asset
