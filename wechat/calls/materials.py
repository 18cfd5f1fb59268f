"""Images: body images (media/uploadimg) and permanent covers (material/add_material),
uploaded once per content hash and account (``UploadedAsset``).

Permanent materials are capped per account, so a cover is never added twice: it is
named by its content hash, and an add whose answer was lost (or a row left in
doubt by an earlier run) is first looked up by that name (material/batchget_material)."""

import hashlib
import logging

from django.db import transaction

from .. import limits, quota
from ..errors import DailyQuotaExceeded, LimitViolation, TransientError
from ..models import UploadedAsset
from ..payloads import Material

log = logging.getLogger("wechat")
PAGE = 20  # material/batchget_material answers at most 20 items
LOOKUP_PAGES = 5  # the newest 100 materials: where an add made moments ago is
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
        name = f"{lookup['content_hash'][:16]}.{ext}" if kind == "uploadimg" else f"{lookup['content_hash'][:24]}-{kind}.{ext}"
        # A row without ids: an earlier run's add may have landed before its answer was
        # lost or its worker died. The row is committed before adding so it says so.
        in_doubt = asset is not None
        if kind != "uploadimg":
            UploadedAsset.objects.get_or_create(**lookup, defaults={"size": len(data)})
        try:
            with transaction.atomic():
                # The row lock makes a concurrent upload of the same image wait for this one.
                UploadedAsset.objects.get_or_create(**lookup, defaults={"size": len(data)})
                asset = UploadedAsset.objects.select_for_update().get(**lookup)
                if not asset.uploaded:
                    files = {"media": (name, data, content_type)}
                    if kind == "uploadimg":
                        answer = self._call(endpoint, files=files)
                    else:
                        answer = self._add_material(kind, name, files, in_doubt)
                    asset.media_id, asset.url = answer.get("media_id", ""), answer.get("url", "")
                    asset.save(update_fields=["media_id", "url"])
                    log.info("%s: uploaded %s image %s (%d bytes)", self.app_id, kind, lookup["content_hash"][:12],
                             len(data))
        except DailyQuotaExceeded as exc:
            # The pause was written inside the block that just rolled back: keep it.
            if exc.paused_until:
                quota.record_pause(self.app_id, exc.paused_until, exc.endpoint, exc.reason)
            self._drop_undone(lookup)
            raise
        except TransientError as exc:
            if not getattr(exc, "unanswered", exc.errcode is None):
                self._drop_undone(lookup)  # WeChat answered every add: nothing was added
            raise
        except Exception:
            self._drop_undone(lookup)
            raise
        return asset

    @staticmethod
    def _drop_undone(lookup):
        UploadedAsset.objects.filter(**lookup, media_id="", url="").delete()

    def _add_material(self, kind, name, files, in_doubt):
        """material/add_material, unless an earlier add of ``name`` landed."""
        look_first = [in_doubt]

        def attempt():
            if look_first[0]:
                found = self.find_material(name)
                if found:
                    log.warning("%s: material %s found after a lost answer; not adding it again", self.app_id, name)
                    return found
            # Any later attempt follows one whose add may have landed.
            look_first[0] = True
            try:
                return self._send("material/add_material", files=files, params={"type": kind})
            except TransientError as exc:
                unanswered[0] = unanswered[0] or exc.errcode is None
                raise

        unanswered = [in_doubt]
        try:
            return self.retry.run(attempt, sleep=self._sleep, what=f"{self.app_id} material/add_material")
        except TransientError as exc:
            exc.unanswered = unanswered[0]
            raise

    def find_material(self, name: str) -> dict | None:
        """The newest image material named ``name`` ({media_id, name, url}), or None."""
        for page in range(LOOKUP_PAGES):
            data = self._send("material/batchget_material",
                              json_body={"type": "image", "offset": page * PAGE, "count": PAGE})
            for item in data.get("item") or []:
                if item.get("name") == name:
                    return item
            if (page + 1) * PAGE >= int(data.get("total_count") or 0):
                return None
        return None

    def material_count(self) -> dict:
        """Permanent materials of the account by type (material/get_materialcount)."""
        return self._call("material/get_materialcount", "GET")
