"""SMS interaction templates with typed parameters, and the commands they answer."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.search import index

from .editorial import OwnedEditorialModel
from .organisations import code_validator

PARAMETER_TYPES = ("amount", "date", "datetime", "phone", "int", "data_volume", "text", "code", "url")


class SmsTemplate(OwnedEditorialModel):
    class Category(models.TextChoices):
        REPLY = "reply", _("回复")
        NOTIFICATION = "notification", _("通知")
        MARKETING = "marketing", _("营销")

    code = models.CharField(_("代码"), max_length=32, unique=True, validators=[code_validator])
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    brands = ParentalManyToManyField("content.Brand", verbose_name=_("适用品牌"), blank=True, related_name="+")
    text = models.TextField(_("模板内容"), help_text=_("参数写作 {name}"))
    # [{"name": "used", "type": "data_volume", "max_length": 8}, ...]
    parameters = models.JSONField(_("参数声明"), default=list, blank=True)
    # The SMS commands whose reply this template is, e.g. ["CXTC", "C123"].
    commands = models.JSONField(_("绑定指令"), default=list, blank=True)

    search_fields = [
        index.SearchField("code"),
        index.SearchField("text"),
        index.AutocompleteField("code"),
        index.FilterField("category"),
        index.FilterField("live"),
        index.FilterField("organisation"),
        index.FilterField("id"),
    ]

    class Meta:
        verbose_name = _("短信模板")
        verbose_name_plural = _("短信模板")
        ordering = ["code"]

    def __str__(self):
        return self.code

    def clean(self):
        from content.services.sms import validate_template

        validate_template(self)

    def get_preview_context(self, request, mode_name):
        from content.services.sms import measure

        context = super().get_preview_context(request, mode_name)
        context["sms"] = measure(self)
        return context


class SmsCommand(models.Model):
    """A command bound on an SMS account: the reply for one brand's customers, or
    the default (no brand) for everyone else. One template per (account, command,
    brand); ``content.services.sms_commands.pick`` is the one resolution rule."""

    account = models.ForeignKey("content.ChannelAccount", on_delete=models.CASCADE, related_name="sms_commands")
    command = models.CharField(_("指令"), max_length=20)
    # PROTECT: deleting a brand must not silently drop the replies its customers get.
    brand = models.ForeignKey(
        "content.Brand", verbose_name=_("品牌"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("留空为默认回复:没有专属回复的品牌都用它"),
    )
    template = models.ForeignKey(SmsTemplate, on_delete=models.CASCADE, related_name="command_bindings")

    class Meta:
        verbose_name = _("短信指令")
        verbose_name_plural = _("短信指令")
        # Two partial constraints: NULL never equals NULL, so one constraint over the
        # three columns would let two defaults of a command through.
        constraints = [
            models.UniqueConstraint(
                fields=["account", "command", "brand"], condition=models.Q(brand__isnull=False),
                name="unique_brand_command_per_account",
            ),
            models.UniqueConstraint(
                fields=["account", "command"], condition=models.Q(brand__isnull=True),
                name="unique_default_command_per_account",
            ),
        ]

    def __str__(self):
        return f"{self.command}[{self.brand_id or '*'}] → {self.template_id}"
