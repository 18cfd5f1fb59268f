"""The slots a front end is served: live slots of one channel type reaching the
caller, each with the entries shown now (``content.services.promotions``) whose
items the caller may read and, for packages and businesses, that are on sale
(the one rule, ``content.services.catalogue.on_sale_q``) for the asked brand, region
and channel. A fixed number of queries whatever the number of slots and entries."""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from content import access, kinds
from content.models import Article, ChannelAccount, Organisation, PromotionEntry, PromotionSlot
from content.reach import article_channel_q
from content.schema.loaders import load, prepare
from content.services.catalogue import on_sale_q
from content.services.promotions import ITEM_TARGETS, shown_entries
from renditions.images import MINIPROGRAM_SPEC, WECHAT_COVER_SPEC, ImageSet
from renditions.links import base_url_of, web_url_on

Type = ChannelAccount.Type
# The image an entry shows on each channel: the web hall's widest responsive width,
# the mini-program's 750 px design width, WeChat's 2.35:1 cover. SMS shows text only.
SLOT_IMAGE_SPECS = {
    Type.WEB: "width-1200",
    Type.WECHAT_MINIPROGRAM: MINIPROGRAM_SPEC,
    Type.WECHAT_OFFICIAL_ACCOUNT: WECHAT_COVER_SPEC,
}


@dataclass
class ShownImage:
    url: str
    width: int
    height: int
    alt: str


@dataclass
class ShownEntry:
    position: int
    title: str
    subtitle: str
    target: str
    url: str
    brands: list
    regions: list
    starts_at: object
    ends_at: object
    article: object = None
    package: object = None
    business: object = None
    image: ShownImage | None = None


@dataclass
class ShownSlot:
    pk: int
    code: str
    title: str
    channel: str
    organisation: str
    entries: list = field(default_factory=list)


def _region(code):
    """The organisation ``code`` with its parents (one query), or None when unknown."""
    return Organisation.objects.select_related("parent__parent").filter(code=code).first()


def _items(info, wanted, channel, brand, region, today):
    """{(target, pk): item} of the entries' items the caller may read, offers on sale: one query per kind."""
    found = {}
    for target, ids in wanted.items():
        model = kinds.get(target).model
        qs = prepare(model, access.published(model, info)).filter(pk__in=ids)
        if model is Article:
            qs = qs.filter(article_channel_q(channel))
        else:
            qs = qs.filter(on_sale_q(model, brand, region, today, channel))
        items = load(model, list(qs), info)
        found.update({(target, item.pk): item for item in items})
    return found


def _web_accounts():
    """Enabled web halls with an address, by organisation id (one query)."""
    by_org = {}
    for account in ChannelAccount.objects.filter(type=Type.WEB, enabled=True).exclude(base_url="").order_by("code"):
        by_org.setdefault(account.organisation_id, account)
    return by_org


def _web_url(item, target, webs, near):
    """The item's web rendition on the web hall nearest ``near`` (renditions.links)."""
    for org_id in [near.pk, *near.ancestor_ids()]:
        if org_id in webs:
            return web_url_on(webs[org_id], target, item.code) or ""
    first = next(iter(webs.values()), None)
    return (web_url_on(first, target, item.code) or "") if first is not None and base_url_of(first) else ""


def _image(entry, item_title, images, spec):
    image = images.get(entry.image_id) if entry.image_id and spec else None
    if image is None:
        return None
    renditions = images.renditions(image, (spec,))
    if not renditions:
        return None
    rendition = renditions[spec]
    return ShownImage(
        url=rendition.full_url, width=rendition.width, height=rendition.height, alt=image.title or item_title
    )


def served_slots(info, channel, code=None, brand=None, organisation=None, now=None, pks=None, audience=None):
    """The ``ShownSlot`` list for ``channel`` (a channel type), ordered by code; ``pks``
    and ``audience`` narrow it to those slots reaching those accounts (the change feed)."""
    now = now or timezone.now()
    region = None
    if organisation:
        region = _region(organisation)
        if region is None:
            return []
    entries = Prefetch("entries", queryset=PromotionEntry.objects.order_by("sort_order", "pk"))
    slots = (
        access.published(PromotionSlot, info, audience).filter(channel=channel).select_related("organisation__parent")
    )
    if pks is not None:
        slots = slots.filter(pk__in=pks)
    if code:
        slots = slots.filter(code=code)
    if region is not None:
        # A slot is shown in its organisation's region and below.
        slots = slots.filter(organisation_id__in=[region.pk, *region.ancestor_ids()])
    slots = list(slots.prefetch_related(entries).order_by("code"))
    shown = {slot.pk: shown_entries(slot, now, brand, region) for slot in slots}
    wanted = {}
    for entry in (e for entries in shown.values() for e in entries):
        if entry.target in ITEM_TARGETS and getattr(entry, f"{entry.target}_id"):
            wanted.setdefault(entry.target, set()).add(getattr(entry, f"{entry.target}_id"))
    items = _items(info, wanted, channel, brand, region, timezone.localdate(now))
    spec = SLOT_IMAGE_SPECS.get(channel)
    image_ids = {e.image_id for es in shown.values() for e in es if e.image_id} if spec else ()
    images = ImageSet.load(ids=image_ids, specs=(spec,) if spec else ())
    webs = _web_accounts() if wanted else {}
    return [_slot(slot, shown[slot.pk], items, images, spec, webs, region) for slot in slots]


def _slot(slot, entries, items, images, spec, webs, region):
    out = ShownSlot(
        pk=slot.pk, code=slot.code, title=slot.title, channel=slot.channel, organisation=slot.organisation.code
    )
    positions = {entry.pk: n for n, entry in enumerate(slot.ordered_entries(), start=1)}
    for entry in entries:
        item = None
        if entry.target in ITEM_TARGETS:
            item = items.get((entry.target, getattr(entry, f"{entry.target}_id")))
            if item is None:  # not readable, not live, or not on sale here: the position is left out
                continue
        item_title = getattr(item, "title", None) or getattr(item, "name", "") if item is not None else ""
        title = entry.title or item_title
        url = entry.link if item is None else _web_url(item, entry.target, webs, region or slot.organisation)
        out.entries.append(
            ShownEntry(
                position=positions[entry.pk],
                title=title,
                subtitle=entry.subtitle,
                target=entry.target,
                url=url or "",
                brands=list(entry.brands or []),
                regions=list(entry.regions or []),
                starts_at=entry.starts_at,
                ends_at=entry.ends_at,
                image=_image(entry, title, images, spec),
                **({entry.target: item} if item is not None else {}),
            )
        )
    return out
