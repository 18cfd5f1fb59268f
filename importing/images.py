"""Images of the material library, stored through Django's default storage (S3
when configured), in their organisation's collection
(``media.services.collection_for_organisation``), deduplicated by code.

An image is written again only when its bytes change (``content_hash``), under a
name made of the hash of its bytes: a run that dies before it commits leaves files
the next run finds and reuses instead of uploading them again."""

import hashlib
import io
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from wagtail.images.fields import WagtailImageField

from content.errors import record_errors
from content.models import Organisation
from media.models import LibraryImage, LibraryRendition
from media.services import collection_for_organisation

from .context import FieldErrors
from .bulk import update_rows
from .indexing import BATCH, reindex

CANONICAL = ("title", "description", "organisation_id", "collection_id", "content_hash")


def collection_for(organisation, cache):
    if organisation.pk not in cache:
        cache[organisation.pk] = collection_for_organisation(organisation)
    return cache[organisation.pk]


def import_images(ctx, records):
    list_name = "images"
    ctx.report.start_list(list_name)
    ctx.progress.start(list_name, len(records))
    existing = {
        row["code"]: row
        for row in LibraryImage.objects.exclude(code=None).values("pk", "code", "file", *CANONICAL)
    }
    ctx.known(list_name, {code: row["pk"] for code, row in existing.items()})
    organisations = Organisation.objects.in_bulk()
    collections = {}
    seen, new, changed, unchanged = set(), [], [], 0
    for record in records:
        ctx.progress.advance()
        code = record.get("code")
        if code in seen:
            ctx.refuse(list_name, code, {"code": [_("代码在导出中重复出现")]}, blocks_dependents=False)
            continue
        seen.add(code)
        planned = _read(ctx, record, organisations, collections)
        if planned is None:
            continue
        stored = existing.get(code)
        if stored and all(stored[k] == planned["values"][k] for k in CANONICAL):
            unchanged += 1
            continue
        if not _validated(ctx, code, planned):
            continue
        if stored:
            planned["pk"], planned["old_file"] = stored["pk"], stored["file"]
            changed.append(planned)
        else:
            new.append(planned)
    with transaction.atomic():
        _store_files(ctx, [p for p in new + changed if p.get("old_file") is None or _content_changed(p, existing)])
        created = _create(new)
        _update(changed, existing)
        reindex(LibraryImage, created + [LibraryImage(pk=p["pk"]) for p in changed], new={obj.pk for obj in created})
    ctx.known(list_name, {obj.code: obj.pk for obj in created})
    ctx.wrote(LibraryImage, [obj.pk for obj in created] + [p["pk"] for p in changed])
    ctx.report.count(list_name, "created", len(created))
    ctx.report.count(list_name, "updated", len(changed))
    ctx.report.count(list_name, "unchanged", unchanged)
    ctx.finish_list(list_name)


def _read(ctx, record, organisations, collections):
    code = record.get("code")
    errors = FieldErrors()
    if not isinstance(code, str) or not code:
        errors.add("code", _("缺少代码"))
    org_id = ctx.ref("organisations", record.get("org"), "org", errors)
    path = ctx.export.file_path(record.get("file") or "")
    data = b""
    if path is None or not record.get("file"):
        errors.add("file", _("文件路径必须位于导出目录之内"))
    elif not path.is_file():
        errors.add("file", _("找不到文件 %(file)s") % {"file": record.get("file")})
    else:
        data = path.read_bytes()
    alt = record.get("alt") or ""
    if not isinstance(alt, str) or not alt.strip():
        # The library's image form requires alt text (media.forms.LibraryImageForm).
        errors.add("alt", _("替代文字不能为空"))
    if errors:
        ctx.refuse("images", str(code), errors)
        return None
    return {
        "code": code,
        "data": data,
        "filename": path.name,
        "values": {
            "title": alt or code,
            "description": alt,
            "organisation_id": org_id,
            "collection_id": collection_for(organisations[org_id], collections).pk,
            "content_hash": hashlib.sha256(data).hexdigest(),
        },
    }


def _validated(ctx, code, planned):
    """The admin's upload checks (format, file size, pixel count) and the model's own."""
    try:
        WagtailImageField().clean(SimpleUploadedFile(planned["filename"], planned["data"]))
    except ValidationError as exc:
        ctx.refuse("images", code, {"file": exc.messages})
        return False
    with PILImage.open(io.BytesIO(planned["data"])) as image:
        planned["width"], planned["height"] = image.size
    obj = LibraryImage(code=code, width=planned["width"], height=planned["height"], **planned["values"])
    try:
        obj.full_clean(exclude=["file", "collection", "organisation", "uploaded_by_user"], validate_unique=False)
    except ValidationError as exc:
        errors = {}
        for err in record_errors(code, exc, list_name="images"):
            errors.setdefault(err.field, []).append(err.message)
        ctx.refuse("images", code, errors)
        return False
    return True


def _content_changed(planned, existing):
    return existing[planned["code"]]["content_hash"] != planned["values"]["content_hash"]


def file_name(code, filename, data):
    """The stored name of an image's bytes: its code and their SHA-256, so the same
    bytes of one image always land on the same name (``original_images/IMG0001-<sha256>.png``).
    The code keeps images apart: deleting one in the admin deletes its file, which
    must not be another image's."""
    suffix = PurePosixPath(filename).suffix.lower()
    return LibraryImage().get_upload_to(f"{get_valid_filename(code)}-{hashlib.sha256(data).hexdigest()}{suffix}")


def _store_files(ctx, planned):
    """Upload the bytes of new images and of images whose bytes changed, unless a
    file of the same bytes is there already (left by a run killed before it
    committed): no second upload, no orphan."""
    storage = LibraryImage._meta.get_field("file").storage
    for item in planned:
        name = file_name(item["code"], item["filename"], item["data"])
        if not ctx.dry_run and not storage.exists(name):
            saved = storage.save(name, ContentFile(item["data"]))
            if saved != name:  # written meanwhile by a concurrent run: keep one copy
                storage.delete(saved)
            else:
                ctx.stored_files.append(name)
        item["file"] = name


def _file_fields(item):
    return {
        "file": item["file"],
        "width": item["width"],
        "height": item["height"],
        "file_size": len(item["data"]),
        "file_hash": hashlib.sha1(item["data"]).hexdigest(),
    }


def _create(new):
    objs = [LibraryImage(code=item["code"], **item["values"], **_file_fields(item)) for item in new]
    return LibraryImage.objects.bulk_create(objs, batch_size=BATCH)


def _update(changed, existing):
    if not changed:
        return
    objs, refiled = [], []
    for item in changed:
        fields = dict(item["values"])
        if "file" in item:
            fields.update(_file_fields(item))
            refiled.append(item["pk"])
        obj = LibraryImage(pk=item["pk"], code=item["code"], **fields)
        objs.append((obj, list(fields)))
    by_fields = {}
    for obj, fields in objs:
        by_fields.setdefault(tuple(fields), []).append(obj)
    for fields, group in by_fields.items():
        update_rows(LibraryImage, group, list(fields))
    # Renditions of a replaced file are stale, as when an editor uploads a new file.
    LibraryRendition.objects.filter(image_id__in=refiled).delete()
