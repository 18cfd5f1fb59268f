"""Tariff packages and value-added businesses as structured, comparable records."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.fields import RichTextField
from wagtail.search import index

from .editorial import OwnedEditorialModel
from .organisations import code_validator

COMMAND_MAX = 20


class SoldInOrganisations(OwnedEditorialModel):
    """Sold where ``sale_orgs`` say; a province in the list means province-wide."""

    brands = ParentalManyToManyField("content.Brand", verbose_name=_("适用品牌"), blank=True, related_name="+")
    sale_orgs = ParentalManyToManyField("content.Organisation", verbose_name=_("销售范围"), blank=True, related_name="+")
    # Channel types (ChannelAccount.Type) the offer is sold on; empty = every channel.
    channels = models.JSONField(
        _("销售渠道"), default=list, blank=True, help_text=_("只在所选渠道销售,例如仅线上(网厅与小程序);不选为全部渠道")
    )

    shared_down_joins_many = True

    class Meta:
        abstract = True

    @classmethod
    def shared_down_q(cls, org_ids):
        from django.db.models import Q

        from .organisations import Organisation

        # A branch reads what is on sale in it, province-wide offers included.
        province_ids = Organisation.objects.filter(level=Organisation.Level.PROVINCE).values("pk")
        return Q(sale_orgs__in=org_ids) | Q(sale_orgs__in=province_ids)


class Package(SoldInOrganisations):
    code = models.CharField(_("代码"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=100)
    family = models.CharField(_("套餐系列"), max_length=100, blank=True)
    monthly_fee = models.DecimalField(_("月费(元)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    data_mb = models.PositiveIntegerField(_("流量(MB)"), default=0)
    voice_minutes = models.PositiveIntegerField(_("语音(分钟)"), default=0)
    sms_count = models.PositiveIntegerField(_("短信(条)"), default=0)
    contract_months = models.PositiveSmallIntegerField(_("合约期(月)"), default=0)
    order_command = models.CharField(_("订购指令"), max_length=COMMAND_MAX, blank=True)
    cancel_command = models.CharField(_("退订指令"), max_length=COMMAND_MAX, blank=True)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    highlights = models.JSONField(_("卖点"), default=list, blank=True)
    description = RichTextField(_("说明"), blank=True)

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("code"),
        index.SearchField("family"),
        index.FilterField("family"),
        index.FilterField("live"),
        index.FilterField("id"),
    ]

    class Meta:
        verbose_name = _("资费套餐")
        verbose_name_plural = _("资费套餐")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def clean(self):
        from content.services.catalogue import validate_package

        validate_package(self)


class Business(SoldInOrganisations):
    code = models.CharField(_("代码"), max_length=32, unique=True, validators=[code_validator])
    kind = models.CharField(_("业务类别"), max_length=50, blank=True)
    name = models.CharField(_("名称"), max_length=100)
    monthly_fee = models.DecimalField(_("月费(元)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    order_command = models.CharField(_("订购指令"), max_length=COMMAND_MAX, blank=True)
    cancel_command = models.CharField(_("退订指令"), max_length=COMMAND_MAX, blank=True)
    description = RichTextField(_("说明"), blank=True)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    highlights = models.JSONField(_("卖点"), default=list, blank=True)

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("code"),
        index.FilterField("kind"),
        index.FilterField("live"),
        index.FilterField("id"),
    ]

    class Meta:
        verbose_name = _("增值业务")
        verbose_name_plural = _("增值业务")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def clean(self):
        from content.services.catalogue import validate_business

        validate_business(self)
