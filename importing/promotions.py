"""Loading promotion slots (``promotion-slots/1``, the sample builder's ``slots.json``):
each slot is checked with the slot rules (content.services.promotions) and, when
every one passes, saved and published in one transaction; a slot of the same
code is replaced. Errors name the slot, the entry's position and the field."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateparse import parse_datetime

from content.errors import RecordError, record_errors
from content import kinds
from content.models import Organisation, PromotionEntry, PromotionSlot
from content.services.promotions import ITEM_TARGETS, slot_problems

FORMAT = "promotion-slots/1"
LIST = "slots"


def _entry(record, slot_code, position, errors):
    from wagtail.images import get_image_model

    entry = PromotionEntry(
        target=record.get("target") or "",
        title=record.get("title") or "",
        subtitle=record.get("subtitle") or "",
        link=record.get("link") or "",
        brands=record.get("brands") or [],
        regions=record.get("regions") or [],
        sort_order=position,
    )
    where = f"{slot_code}#{position + 1}"
    model = kinds.get(entry.target).model if entry.target in ITEM_TARGETS else None
    if model is not None and record.get("item"):
        item = model.objects.filter(code=record["item"]).first()
        if item is None:
            errors.append(
                RecordError(where, entry.target, f"{model._meta.verbose_name} {record['item']} 不存在", list=LIST)
            )
        setattr(entry, entry.target, item)
    if record.get("image"):
        entry.image = get_image_model().objects.filter(code=record["image"]).first()
        if entry.image is None:
            errors.append(RecordError(where, "image", f"图片 {record['image']} 不存在", list=LIST))
    for name in ("starts_at", "ends_at"):
        if record.get(name):
            value = parse_datetime(str(record[name]))
            if value is None:
                errors.append(RecordError(where, name, f"{record[name]} 不是有效时间", list=LIST))
            setattr(entry, name, value)
    return entry


def _slot(record, errors):
    code = str(record.get("code") or "")
    slot = PromotionSlot.objects.filter(code=code).first() or PromotionSlot(code=code, live=False)
    slot.title, slot.channel = record.get("title") or "", record.get("channel") or ""
    slot.organisation = Organisation.objects.filter(code=record.get("org")).first()
    if slot.organisation is None:
        errors.append(RecordError(code, "org", f"组织 {record.get('org')} 不存在", list=LIST))
        return None, []
    entries = [_entry(e, code, n, errors) for n, e in enumerate(record.get("entries") or [])]
    try:
        slot.full_clean(validate_unique=False)
    except ValidationError as error:
        errors.extend(record_errors(code, error, list_name=LIST))
    errors.extend(RecordError(code, "entries", problem, list=LIST) for problem in slot_problems(slot, entries))
    return slot, entries


def load_slots(document):
    """Check then store and publish every slot of ``document``; returns (slot codes, [RecordError])."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return [], [RecordError("slots.json", "format", f"须为 {FORMAT}", list=LIST)]
    errors, planned = [], []
    for record in document.get(LIST) or []:
        slot, entries = _slot(record if isinstance(record, dict) else {}, errors)
        if slot is not None:
            planned.append((slot, entries))
    if errors:
        return [], errors
    with transaction.atomic():
        for slot, entries in planned:
            slot.entries = entries
            slot.save()
            slot.save_revision().publish()
    return [slot.code for slot, _ in planned], []
