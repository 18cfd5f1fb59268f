"""The rules of promotion slots (营销位), one place for the admin form, the model,
the sample loader and the API: what an entry must hold, and which entries a
channel shows now to a brand in a region."""

from collections import defaultdict
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from content.models import Brand, ChannelAccount, Organisation
from content.models.promotions import ITEM_KINDS, MAX_SLOT_ENTRIES, PromotionEntry
from content.permissions import scope_for_org, visible

Target = PromotionEntry.Target
ITEM_TARGETS = tuple(kind.value for kind in ITEM_KINDS)
# An SMS hall slot is the tail text of a reply: words only.
TEXT_ONLY = frozenset({ChannelAccount.Type.SMS})


def validate_slot(slot):
    """Raise ValidationError({field: [...]}) for the slot's own fields and its stored entries' count."""
    errors = defaultdict(list)
    if not (slot.title or "").strip():
        errors["title"].append(_("名称不能为空"))
    if slot.channel not in ChannelAccount.Type.values:
        errors["channel"].append(_("未知渠道 %(channel)s") % {"channel": slot.channel})
    entries = slot.ordered_entries()
    if len(entries) > MAX_SLOT_ENTRIES:
        errors["entries"].append(
            _("营销位 %(slot)s 最多 %(max)s 条,现有 %(count)s 条")
            % {"slot": slot.code, "max": MAX_SLOT_ENTRIES, "count": len(entries)}
        )
    if errors:
        raise ValidationError(dict(errors))


def _code_list(errors, field_name, codes, what):
    """The list of codes, or [] after recording why it is not one."""
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        errors[field_name].append(_("%(what)s须为代码列表") % {"what": what})
        return []
    if len(set(codes)) != len(codes):
        errors[field_name].append(_("%(what)s不能重复") % {"what": what})
    return codes


def _unknown(errors, field_name, codes, known, what):
    unknown = sorted(set(codes) - set(known))
    if unknown:
        errors[field_name].append(_("未知%(what)s %(codes)s") % {"what": what, "codes": ", ".join(unknown)})


def entry_errors(entry, slot=None):
    """{field: [messages]} of one entry of ``slot`` (default: its own); empty when fine."""
    slot = slot if slot is not None else getattr(entry, "slot", None)
    errors = defaultdict(list)
    chosen = [
        t for t in (*ITEM_TARGETS, Target.LINK) if (entry.link if t == Target.LINK else getattr(entry, f"{t}_id"))
    ]
    if entry.target not in Target.values:
        errors["target"].append(_("未知指向 %(target)s") % {"target": entry.target})
    elif entry.target not in chosen:
        errors[entry.target].append(_("指向%(label)s时须选择%(label)s") % {"label": Target(entry.target).label})
    elif len(chosen) > 1:
        others = "、".join(str(Target(t).label) for t in chosen if t != entry.target)
        errors[entry.target].append(_("只能指向一项内容,请清空:%(others)s") % {"others": others})
    if entry.link and urlsplit(entry.link).scheme not in ("http", "https"):
        errors["link"].append(_("链接只能是 http 或 https 地址"))
    if entry.target == Target.LINK and not (entry.title or "").strip():
        errors["title"].append(_("外部链接须填写标题"))
    if entry.starts_at and entry.ends_at and entry.ends_at <= entry.starts_at:
        errors["ends_at"].append(
            _("结束时间 %(end)s 须晚于开始时间 %(start)s") % {"end": entry.ends_at, "start": entry.starts_at}
        )
    brands = _code_list(errors, "brands", entry.brands, _("品牌"))
    if brands:
        _unknown(
            errors, "brands", brands, Brand.objects.filter(code__in=brands).values_list("code", flat=True), _("品牌")
        )
    regions = _code_list(errors, "regions", entry.regions, _("地区"))
    if regions:
        _region_problems(errors, regions, slot)
    if not errors.get(entry.target) and entry.target in ITEM_TARGETS and slot is not None and slot.organisation_id:
        _owner_problems(errors, entry, slot)
    if slot is not None and slot.channel in TEXT_ONLY and entry.image_id:
        errors["image"].append(_("短信营业厅的营销位只有文字,不能使用图片"))
    return {name: messages for name, messages in errors.items() if messages}


def _region_problems(errors, regions, slot):
    found = {org.code: org for org in Organisation.objects.filter(code__in=regions).select_related("parent__parent")}
    _unknown(errors, "regions", regions, found, _("地区"))
    if slot is None or not slot.organisation_id:
        return
    # A slot is shown where its organisation's channels are: its own region and below.
    outside = sorted(
        code
        for code, org in found.items()
        if org.pk != slot.organisation_id and slot.organisation_id not in org.ancestor_ids()
    )
    if outside:
        errors["regions"].append(_("地区 %(codes)s 不在营销位所属组织之下") % {"codes": ", ".join(outside)})


def _owner_problems(errors, entry, slot):
    """A slot points only at items its organisation may read (isolation: never a sibling branch's)."""
    item_id = getattr(entry, f"{entry.target}_id")
    model = PromotionEntry._meta.get_field(entry.target).related_model
    scope = scope_for_org(slot.organisation)
    if not visible(model._default_manager.filter(pk=item_id), scope).exists():
        code = model._default_manager.filter(pk=item_id).values_list("code", flat=True).first() or item_id
        errors[entry.target].append(
            _("%(kind)s %(code)s 不属于 %(org)s,也未下发或销售给它")
            % {"kind": model._meta.verbose_name, "code": code, "org": slot.organisation.code}
        )


def validate_entry(entry):
    """Raise ValidationError({field: [...]}) naming the entry's slot and position."""
    errors = entry_errors(entry)
    if errors:
        raise ValidationError(errors)


def slot_problems(slot, entries):
    """Readable reasons (naming slot, position and field) why ``entries`` cannot be the slot's."""
    name = slot.code or slot.title or _("营销位")
    problems = []
    if len(entries) > MAX_SLOT_ENTRIES:
        problems.append(
            _("营销位 %(slot)s 最多 %(max)s 条,现有 %(count)s 条")
            % {"slot": name, "max": MAX_SLOT_ENTRIES, "count": len(entries)}
        )
    for position, entry in enumerate(entries, start=1):
        for field_name, messages in entry_errors(entry, slot).items():
            label = PromotionEntry._meta.get_field(field_name).verbose_name
            for message in messages:
                problems.append(
                    _("营销位 %(slot)s 第 %(n)s 条「%(field)s」:%(message)s")
                    % {"slot": name, "n": position, "field": label, "message": message}
                )
    return problems


# -- what is shown --------------------------------------------------------------


def is_scheduled(entry, now):
    """Within the entry's schedule at ``now`` (an open end does not limit)."""
    return (entry.starts_at is None or entry.starts_at <= now) and (entry.ends_at is None or now < entry.ends_at)


def is_for(entry, brand=None, region=None):
    """For ``brand`` (a code) in ``region`` (an Organisation with its parents loaded):
    entries naming no brand are for every brand; naming no region, for every region;
    a region in the list covers the organisations below it. A criterion left out does not narrow."""
    if brand and entry.brands and brand not in entry.brands:
        return False
    if region is not None and entry.regions:
        here = {region.code}
        node = region.parent
        while node is not None:
            here.add(node.code)
            node = node.parent
        if not here & set(entry.regions):
            return False
    return True


def shown_entries(slot, now, brand=None, region=None):
    """The slot's entries shown at ``now`` to ``brand`` in ``region``, in order."""
    return [e for e in slot.ordered_entries() if is_scheduled(e, now) and is_for(e, brand, region)]
