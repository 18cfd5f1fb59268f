"""Tariff packages and value-added businesses: the one validator, the comparison
table and what is on sale for a brand in a branch on a date."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from content.models import Brand, Business, ChannelAccount, Organisation, Package
from content.services.html import sanitize_html
from content.services.offer_commands import check_commands

MAX_HIGHLIGHTS = 8
MAX_HIGHLIGHT_CHARS = 30
MAX_CONTRACT_MONTHS = 120
MIN_COMPARED, MAX_COMPARED = 2, 5


def _in_subtree(org, root):
    return org.pk == root.pk or root.pk in org.ancestor_ids()


def _check_fee(errors, value):
    if value in (None, ""):
        errors["monthly_fee"].append(_("月费不能为空"))
        return
    try:
        fee = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors["monthly_fee"].append(_("月费 %(value)s 不是有效的金额") % {"value": value})
        return
    if not fee.is_finite():
        errors["monthly_fee"].append(_("月费 %(value)s 不是有效的金额") % {"value": value})
    elif fee < 0:
        errors["monthly_fee"].append(_("月费不能为负数(收到 %(value)s 元)") % {"value": value})
    elif fee.as_tuple().exponent < -2:
        errors["monthly_fee"].append(_("月费最多保留两位小数(收到 %(value)s)") % {"value": value})
    elif fee >= Decimal("100000000"):
        errors["monthly_fee"].append(_("月费 %(value)s 超出范围") % {"value": value})


def _check_dates(errors, item):
    for name in ("valid_from", "valid_to"):
        value = getattr(item, name)
        if value is not None and not isinstance(value, datetime.date):
            errors[name].append(_("%(value)s 不是有效日期") % {"value": value})
    if isinstance(item.valid_from, datetime.date) and isinstance(item.valid_to, datetime.date):
        if item.valid_to < item.valid_from:
            errors["valid_to"].append(
                _("失效日期 %(to)s 早于生效日期 %(from)s") % {"to": item.valid_to, "from": item.valid_from}
            )


def _check_highlights(errors, highlights):
    if highlights in (None, ""):
        return
    if not isinstance(highlights, list):
        errors["highlights"].append(_("卖点必须是文字列表"))
        return
    if len(highlights) > MAX_HIGHLIGHTS:
        errors["highlights"].append(_("卖点最多%(max)d条") % {"max": MAX_HIGHLIGHTS})
    for value in highlights:
        if not isinstance(value, str) or not value.strip():
            errors["highlights"].append(_("卖点不能为空"))
        elif len(value) > MAX_HIGHLIGHT_CHARS:
            errors["highlights"].append(
                _("卖点“%(value)s”超过%(max)d个字") % {"value": value, "max": MAX_HIGHLIGHT_CHARS}
            )


def _check_sale_orgs(errors, item):
    if not item.organisation_id:
        return
    owner = item.organisation
    for org in item.sale_orgs.all():
        if not _in_subtree(org, owner):
            errors["sale_orgs"].append(
                _("%(owner)s 不能在 %(org)s 销售:销售范围须在本组织及下级内")
                % {"owner": owner.code, "org": org.code}
            )


def check_channels(errors, channels, field_name="channels"):
    """The one check of a list of channel types (an article's targets, an offer's sale channels)."""
    if not isinstance(channels, list):
        errors[field_name].append(_("渠道必须是列表"))
        return
    choices = ", ".join(ChannelAccount.Type.values)
    for channel in (c for c in channels if c not in ChannelAccount.Type.values):
        errors[field_name].append(_("未知渠道 %(channel)s,可选:%(choices)s") % {"channel": channel, "choices": choices})
    if len(set(map(str, channels))) != len(channels):
        errors[field_name].append(_("渠道不能重复"))


def _validate_sold_item(item, errors, command_owners=None):
    check_channels(errors, item.channels)
    _check_fee(errors, item.monthly_fee)
    check_commands(errors, item, command_owners)
    _check_dates(errors, item)
    _check_highlights(errors, item.highlights)
    _check_sale_orgs(errors, item)
    if item.description:
        item.description = sanitize_html(item.description)
    errors = {name: messages for name, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)


def validate_package(pkg, command_owners=None):
    """Raise ValidationError({field: [...]}); sanitizes the description in place.
    ``command_owners`` (``offer_commands.CommandOwners``) answers the command clash check without queries."""
    errors = defaultdict(list)
    if not (pkg.name or "").strip():
        errors["name"].append(_("名称不能为空"))
    for name in ("data_mb", "voice_minutes", "sms_count", "contract_months"):
        value = getattr(pkg, name)
        if value is None or isinstance(value, bool) or not isinstance(value, int) or value < 0:
            errors[name].append(_("须为非负整数(收到 %(value)s)") % {"value": value})
    if isinstance(pkg.contract_months, int) and pkg.contract_months > MAX_CONTRACT_MONTHS:
        errors["contract_months"].append(_("合约期最长%(max)d个月") % {"max": MAX_CONTRACT_MONTHS})
    _validate_sold_item(pkg, errors, command_owners)


def validate_business(business, command_owners=None):
    errors = defaultdict(list)
    if not (business.name or "").strip():
        errors["name"].append(_("名称不能为空"))
    _validate_sold_item(business, errors, command_owners)


# -- comparison ---------------------------------------------------------------


def _mb(value):
    if not value:
        return "0"
    if value >= 1024 and value % 1024 == 0:
        return f"{value // 1024}GB"
    if value >= 1024:
        return f"{value / 1024:.1f}GB"
    return f"{value}MB"


def _date(value):
    return value.isoformat() if value else _("不限")


# (field, label, how to show a value, which way is better: "low", "high" or None)
COMPARED_FIELDS = [
    ("family", "套餐系列", str, None),
    ("brands", "适用品牌", lambda brands: "、".join(b.name for b in brands) or _("全部品牌"), None),
    ("sale_orgs", "销售范围", lambda orgs: "、".join(o.name for o in orgs) or _("本组织"), None),
    ("monthly_fee", "月费(元)", lambda v: f"{v:.2f}", "low"),
    ("data_mb", "流量", _mb, "high"),
    ("voice_minutes", "语音(分钟)", str, "high"),
    ("sms_count", "短信(条)", str, "high"),
    ("contract_months", "合约期(月)", lambda v: str(v) if v else _("无合约"), "low"),
    ("order_command", "订购指令", str, None),
    ("cancel_command", "退订指令", str, None),
    ("valid_from", "生效日期", _date, None),
    ("valid_to", "失效日期", _date, None),
    ("highlights", "卖点", lambda v: "、".join(v or []), None),
]


@dataclass
class ComparisonRow:
    field: str
    label: str
    values: list  # as the admin shows them ("10GB", "不限")
    differs: bool
    best: list = field(default_factory=list)  # indexes of the best package(s), when a direction applies
    plain: list = field(default_factory=list)  # as a client parses them ("10240", ISO dates, codes), None when unset


@dataclass
class ComparisonTable:
    packages: list
    rows: list

    @property
    def differing_fields(self):
        return [row.field for row in self.rows if row.differs]


def _raw(pkg, name):
    value = getattr(pkg, name)
    if name in ("brands", "sale_orgs"):
        return sorted(value.all(), key=lambda o: o.code)
    return value


def _key(value):
    if isinstance(value, list):
        return tuple(getattr(v, "pk", v) for v in value)
    return value


def _plain(value):
    if value is None:
        return None
    if isinstance(value, list):
        return ",".join(str(getattr(v, "code", v)) for v in value)
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


def check_compared(codes):
    """Raise ValidationError unless ``codes`` name 2-5 different packages."""
    codes = list(codes)
    if not MIN_COMPARED <= len(codes) <= MAX_COMPARED:
        raise ValidationError(
            {"packages": _("对比需要%(min)d到%(max)d个套餐,收到%(n)d个") % {"min": MIN_COMPARED, "max": MAX_COMPARED, "n": len(codes)}}
        )
    if len(set(codes)) != len(codes):
        raise ValidationError({"packages": _("对比的套餐不能重复:%(codes)s") % {"codes": ", ".join(codes)}})


def compare_packages(packages):
    """A table of the comparable fields of 2-5 packages, differing rows marked: the
    one comparison, shown by the admin and by the API's packageComparison."""
    packages = list(packages)
    check_compared([p.code for p in packages])
    rows = []
    for name, label, show, better in COMPARED_FIELDS:
        raws = [_raw(p, name) for p in packages]
        differs = len({_key(v) for v in raws}) > 1
        best = []
        if better and differs:
            target = min(raws) if better == "low" else max(raws)
            best = [i for i, v in enumerate(raws) if v == target]
        rows.append(ComparisonRow(name, label, [show(v) for v in raws], differs, best, [_plain(v) for v in raws]))
    return ComparisonTable(packages=packages, rows=rows)


# -- on sale --------------------------------------------------------------------


def _resolve(model, value):
    if isinstance(value, model):
        return value
    found = model._default_manager.filter(code=value).first()
    if found is None:
        raise ValidationError({model._meta.model_name: _("未知%(kind)s %(code)s") % {"kind": model._meta.verbose_name, "code": value}})
    return found


def _named(model, value):
    """Ids of the ``model`` row named by ``value`` (an instance or a code), without a query."""
    if isinstance(value, model):
        return [value.pk]
    return model._default_manager.filter(code=value).values("pk")


def _at_or_above(org):
    """The organisation (instance or code) and its ancestors, as a subquery: what is on
    sale there includes province-wide offers. The tree is at most three deep."""
    key, value = ("pk", org.pk) if isinstance(org, Organisation) else ("code", org)
    return Organisation.objects.filter(
        Q(**{key: value}) | Q(**{f"children__{key}": value}) | Q(**{f"children__children__{key}": value})
    ).values("pk")


def _linked(model, relation, targets=None):
    """Exists(row of the many-to-many ``relation`` from the outer item [to one of targets])."""
    field = model._meta.get_field(relation)
    rows = field.remote_field.through.objects.filter(**{field.m2m_field_name(): OuterRef("pk")})
    if targets is not None:
        rows = rows.filter(**{f"{field.m2m_reverse_field_name()}__in": targets})
    return Exists(rows)


def on_sale_q(model, brand=None, organisation=None, on_date=None, channel=None):
    """What is on sale, the one rule for Package and Business (admin, API, renditions,
    bundles); ``is_on_sale`` is the same rule for one item, tests hold the two equal.

    On sale: live (published, not expired); for ``brand`` when the item names that
    brand or no brand (no brands = every brand, "全部品牌"); in ``organisation`` when
    one of its sale organisations is that organisation or above it (a province in the
    list = province-wide), or, naming none, its owner is (no sale organisations =
    where the owner is, "本组织"); on ``on_date`` when the date is within
    valid_from..valid_to (an open end does not limit); on ``channel`` (a channel type)
    when the item names that channel or none (no channels = every channel). A
    criterion left out does not narrow. ``brand`` and ``organisation`` are instances or codes (an unknown code
    matches nothing); the filter costs no query of its own."""
    q = Q(live=True, expired=False)
    if brand:
        q &= _linked(model, "brands", _named(Brand, brand)) | ~_linked(model, "brands")
    if organisation:
        here = _at_or_above(organisation)
        q &= _linked(model, "sale_orgs", here) | (~_linked(model, "sale_orgs") & Q(organisation_id__in=here))
    if on_date:
        q &= (Q(valid_from__isnull=True) | Q(valid_from__lte=on_date)) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
    if channel:
        q &= sold_on_q(model, [channel])
    return q


def sold_on_q(model, channel_types):
    """Offers sold on any of ``channel_types``: naming one of them, or no channel at all
    (every channel). Reach narrows an offer's accounts by the same filter."""
    channel_types = sorted(set(channel_types))
    if set(channel_types) >= set(ChannelAccount.Type.values):
        return Q()
    if connections[router.db_for_read(model)].vendor == "postgresql":
        return Q(channels__has_any_keys=channel_types) | Q(channels=[])
    # SQLite (the embedded default) has no JSON containment; the types never hold a quote.
    q = Q(channels=[])
    for channel_type in channel_types:
        q |= Q(channels__icontains=f'"{channel_type}"')
    return q


def is_on_sale(item, brand=None, organisation=None, on_date=None, channel=None):
    """``on_sale_q`` for one item (a revision too: its relations are read in memory)."""
    if not item.live or item.expired:
        return False
    if brand:
        code = brand.code if isinstance(brand, Brand) else brand
        codes = {b.code for b in item.brands.all()}
        if codes and code not in codes:
            return False
    if organisation:
        org = organisation if isinstance(organisation, Organisation) else Organisation.objects.filter(code=organisation).first()
        if org is None:
            return False
        sold_in = {o.pk for o in item.sale_orgs.all()} or {item.organisation_id}
        if not sold_in & {org.pk, *org.ancestor_ids()}:
            return False
    if on_date:
        if item.valid_from is not None and item.valid_from > on_date:
            return False
        if item.valid_to is not None and item.valid_to < on_date:
            return False
    if channel and item.channels and channel not in item.channels:
        return False
    return True


def is_sold_by(item, organisation, channel=None):
    """Whether ``organisation`` can sell ``item``: on sale there (``is_on_sale``) or at
    an organisation below it. A province article may show a branch's package; a
    branch article never another branch's. Sale organisations' parents are walked
    in memory: prefetch them for many items. With ``channel``, only on that channel type."""
    if is_on_sale(item, organisation=organisation, channel=channel):
        return True
    sold_at = list(item.sale_orgs.all()) or [item.organisation]
    return is_on_sale(item, channel=channel) and any(organisation.pk in org.ancestor_ids() for org in sold_at)


def packages_on_sale(brand, org, on_date=None, channel=None):
    """Live packages sold for ``brand`` in ``org`` (or province-wide) on ``on_date``
    (default today), cheapest first. ``brand`` and ``org`` may be instances or codes;
    an unknown code is a ValidationError."""
    brand, org = _resolve(Brand, brand), _resolve(Organisation, org)
    on_date = on_date or timezone.localdate()
    return (
        Package.objects.filter(on_sale_q(Package, brand, org, on_date, channel))
        .select_related("organisation")
        .prefetch_related("brands", "sale_orgs")
        .order_by("monthly_fee", "code")
    )


def businesses_on_sale(brand, org, on_date=None, channel=None):
    brand, org = _resolve(Brand, brand), _resolve(Organisation, org)
    on_date = on_date or timezone.localdate()
    return Business.objects.filter(on_sale_q(Business, brand, org, on_date, channel)).prefetch_related("brands", "sale_orgs").order_by("monthly_fee", "code")
