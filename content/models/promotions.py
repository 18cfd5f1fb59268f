"""Promotion slots (营销位): banner and cross-sell positions of one channel, each an
ordered list of entries pointing at an article, a package, a business or a link,
shown to a brand and region audience within a schedule."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.models import Orderable
from wagtail.search import index

from content.kinds import Kind

from .editorial import OwnedEditorialModel
from .organisations import ChannelAccount, code_validator

MAX_SLOT_ENTRIES = 20
# What an entry points at: an item of one of these kinds (the registry's codes, also
# the names of the entry's foreign keys) or an external link.
ITEM_KINDS = (Kind.ARTICLE, Kind.PACKAGE, Kind.BUSINESS)
Target = models.TextChoices(
    "Target", [(kind.name, (kind.value, kind.label)) for kind in ITEM_KINDS] + [("LINK", ("link", _("外部链接")))]
)


class PromotionSlot(OwnedEditorialModel):
    """A position on one channel type (web hall home, mini-program home, WeChat menu
    entry, SMS hall tail text), served to that channel's accounts at or above its
    organisation."""

    code = models.CharField(
        _("代码"),
        max_length=32,
        unique=True,
        validators=[code_validator],
        help_text=_("前端按代码取用,例如 web-home-banner"),
    )
    title = models.CharField(_("名称"), max_length=64)
    channel = models.CharField(_("渠道类型"), max_length=32, choices=ChannelAccount.Type.choices)

    search_fields = [
        index.SearchField("title"),
        index.AutocompleteField("title"),
        index.SearchField("code"),
        index.FilterField("channel"),
        index.FilterField("live"),
        index.FilterField("organisation"),
        index.FilterField("id"),
    ]

    class Meta:
        verbose_name = _("营销位")
        verbose_name_plural = _("营销位")
        ordering = ["code"]

    def __str__(self):
        return f"{self.title} ({self.code})"

    @property
    def channels(self):
        """The channel types the slot reaches (content.reach): its own only."""
        return [self.channel] if self.channel else []

    def clean(self):
        from content.services.promotions import validate_slot

        validate_slot(self)

    def ordered_entries(self):
        """Entries in slot order (also on a revision's in-memory copy)."""
        return sorted(self.entries.all(), key=lambda e: (e.sort_order is None, e.sort_order or 0, e.pk or 0))


class PromotionEntry(Orderable):
    """One position of a slot. Exactly one target: an article, a package, a business or a link."""

    Target = Target

    slot = ParentalKey(PromotionSlot, related_name="entries", on_delete=models.CASCADE)
    target = models.CharField(_("指向"), max_length=16, choices=Target.choices, default=Target.PACKAGE)
    title = models.CharField(_("标题"), max_length=64, blank=True, help_text=_("留空使用所指内容的名称"))
    subtitle = models.CharField(_("副标题"), max_length=120, blank=True)
    article = models.ForeignKey(
        "content.Article", verbose_name=_("图文"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    package = models.ForeignKey(
        "content.Package", verbose_name=_("资费套餐"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    business = models.ForeignKey(
        "content.Business",
        verbose_name=_("增值业务"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    link = models.URLField(_("外部链接"), max_length=1024, blank=True, help_text=_("仅 http 或 https 地址"))
    # media sits above content: the image model is named by its label, as an article's cover.
    image = models.ForeignKey(
        "media.LibraryImage", verbose_name=_("图片"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    brands = models.JSONField(_("适用品牌"), default=list, blank=True, help_text=_("品牌代码;留空为全部品牌"))
    regions = models.JSONField(
        _("适用地区"), default=list, blank=True, help_text=_("组织代码(本组织或下级);留空为营销位所属组织的全部地区")
    )
    starts_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("营销位条目")
        verbose_name_plural = _("营销位条目")

    def __str__(self):
        return self.title or self.target

    def clean(self):
        from content.services.promotions import validate_entry

        validate_entry(self)

    @property
    def item(self):
        """The article, package or business the entry points at (None for a link)."""
        return getattr(self, self.target, None) if self.target != self.Target.LINK else None
