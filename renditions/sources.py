"""What the renderers read from an item: one shape for articles, packages,
businesses and SMS templates, built lazily so a channel that needs no body,
images or related packages costs no parsing and no query."""

from decimal import Decimal
from functools import cached_property

from django.db.models import Prefetch, prefetch_related_objects

from content import kinds
from content.models import Organisation, Package
from content.services.catalogue import is_on_sale, is_sold_by

from . import tree
from .rendition import ARTICLE, BUSINESS, PACKAGE


def kind_of(item):
    """The code of the item's kind; TypeError for an item without renditions."""
    kind = kinds.kind_of(item)
    if kind is not None and kind.rendered:
        return kind.code
    raise TypeError(f"{type(item).__name__} has no channel renditions")


def format_fee(value):
    """128.00 -> "128", 9.90 -> "9.9" (yuan)."""
    value = Decimal(value or 0)
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def format_data(mb):
    """31744 -> "31GB", 1536 -> "1.5GB", 500 -> "500MB"."""
    if mb >= 1024:
        gb = Decimal(mb) / 1024
        return f"{gb:.2f}".rstrip("0").rstrip(".") + "GB"
    return f"{mb}MB"


class Card:
    """A package or business from its structured fields, the same on every channel."""

    def __init__(self, item):
        self.kind = PACKAGE if isinstance(item, Package) else BUSINESS
        self.pk = item.pk
        self.code = item.code
        self.name = item.name
        self.family = getattr(item, "family", "") or getattr(item, "kind", "") or ""
        self.monthly_fee = Decimal(item.monthly_fee or 0)
        self.data_mb = getattr(item, "data_mb", 0) or 0
        self.voice_minutes = getattr(item, "voice_minutes", 0) or 0
        self.sms_count = getattr(item, "sms_count", 0) or 0
        self.contract_months = getattr(item, "contract_months", 0) or 0
        self.order_command = item.order_command or ""
        self.cancel_command = item.cancel_command or ""
        self.valid_from = getattr(item, "valid_from", None)
        self.valid_to = getattr(item, "valid_to", None)
        self.highlights = [str(h) for h in (getattr(item, "highlights", None) or []) if str(h).strip()]
        self.offer = item  # what the on-sale rule reads (its channels)

    @property
    def fee_text(self):
        return f"{format_fee(self.monthly_fee)}元/月"

    def allowances(self):
        """[(label, value)] of what the monthly fee includes."""
        out = []
        if self.data_mb:
            out.append(("流量", format_data(self.data_mb)))
        if self.voice_minutes:
            out.append(("语音", f"{self.voice_minutes}分钟"))
        if self.sms_count:
            out.append(("短信", f"{self.sms_count}条"))
        if self.contract_months:
            out.append(("合约期", f"{self.contract_months}个月"))
        return out

    def order_text(self, service_number):
        if not self.order_command:
            return ""
        text = f"编辑短信 {self.order_command} 发送至 {service_number} 办理"
        if self.cancel_command:
            text += f",退订发送 {self.cancel_command}"
        return text

    def as_data(self):
        """JSON-ready structured card (the mini-program renders its own card from it)."""
        return {
            "kind": self.kind,
            "code": self.code,
            "name": self.name,
            "family": self.family,
            "monthly_fee": f"{self.monthly_fee:.2f}",
            "fee_text": self.fee_text,
            "data_mb": self.data_mb,
            "voice_minutes": self.voice_minutes,
            "sms_count": self.sms_count,
            "contract_months": self.contract_months,
            "allowances": [{"label": label, "value": value} for label, value in self.allowances()],
            "highlights": list(self.highlights),
            "order_command": self.order_command,
            "cancel_command": self.cancel_command,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
        }


class Source:
    """The parts of an item a renderer reads. Body, text and cards are parsed or
    queried on first use only."""

    def __init__(self, item):
        self.item = item
        self.kind = kind_of(item)
        self.pk = item.pk
        self.code = item.code
        self.title = getattr(item, "title", None) or getattr(item, "name", None) or item.code
        self.author = getattr(item, "author", "") or ""
        self.digest = getattr(item, "digest", "") or ""
        self.cover_id = getattr(item, "cover_image_id", None)
        channels = getattr(item, "channels", None)
        # An article with no channels named reaches every channel (content.reach).
        self.channels = set(channels) if channels else None

    @cached_property
    def body(self):
        if self.kind == ARTICLE:
            return tree.parse_rich_text(self.item.body)
        if self.kind in (PACKAGE, BUSINESS):
            return tree.parse_rich_text(self.item.description)
        return []

    @cached_property
    def body_text(self):
        return tree.plain_text(self.body)

    @cached_property
    def cards(self):
        """Packages of an article (related packages), or the package/business itself."""
        if self.kind == ARTICLE:
            # Only packages the article's organisation can sell (the one rule); a
            # ParentalManyToManyField also answers for unsaved items and revisions.
            packages = self.related_packages()
            if packages and self.item.organisation_id:
                org = _with_ancestors(self.item)
                prefetch_related_objects(packages, *package_prefetches())
                packages = [p for p in packages if is_sold_by(p, org)]
            else:  # no organisation yet (an unsaved draft): what is on sale anywhere
                packages = [p for p in packages if is_on_sale(p)]
            return sorted((Card(p) for p in packages), key=lambda card: card.code)
        if self.kind in (PACKAGE, BUSINESS):
            return [Card(self.item)]
        return []

    def related_packages(self):
        """The article's related packages (a page's source reads them for all its articles first)."""
        return list(self.item.related_packages.all())

    def cards_on(self, channel):
        """``cards`` as sold on the channel type ``channel``: an article's related package
        limited to other channels is left out (the one on-sale rule)."""
        if self.kind != ARTICLE:
            return self.cards
        return [card for card in self.cards if is_on_sale(card.offer, channel=channel)]

    @cached_property
    def image_refs(self):
        ids, codes = tree.image_refs(self.body)
        if self.cover_id is not None:
            ids.append(self.cover_id)
        return ids, codes


# Organisations with the parents the "can sell" check walks (the tree is three deep).
ORGANISATIONS = Organisation.objects.select_related("parent__parent")


def card_prefetches():
    """What the package cards of many articles read, for ``prefetch_related_objects``:
    their packages, the packages' sale organisations and owners, the articles' organisations."""
    return [
        "related_packages",
        Prefetch("related_packages__sale_orgs", queryset=ORGANISATIONS.all()),
        Prefetch("related_packages__organisation", queryset=ORGANISATIONS.all()),
        Prefetch("organisation", queryset=ORGANISATIONS.all()),
    ]


def package_prefetches():
    """What the "can sell" check reads of packages: their sale organisations and owners."""
    return [
        Prefetch("sale_orgs", queryset=ORGANISATIONS.all()),
        Prefetch("organisation", queryset=ORGANISATIONS.all()),
    ]


def hold_ancestors(items):
    """Give the ``items`` whose organisation is not loaded with all its parents that
    organisation with them, in one query for all (none when all hold them)."""
    missing = [item for item in items if item.organisation_id and not _holds_ancestors(item)]
    if missing:
        organisations = ORGANISATIONS.in_bulk({item.organisation_id for item in missing})
        for item in missing:
            item.organisation = organisations[item.organisation_id]


def _holds_ancestors(item):
    """Whether the item's organisation is loaded with its parents up to the top (walked without a query)."""
    node = item._state.fields_cache.get("organisation")
    while node is not None and node.parent_id is not None:
        node = node._state.fields_cache.get("parent")
    return node is not None


def _with_ancestors(item):
    """The item's organisation holding its parents: prefetched (``render_many``, a page) or one query."""
    if _holds_ancestors(item):
        return item.organisation
    return ORGANISATIONS.get(pk=item.organisation_id)
