"""The "1 + N + X" matrix: organisations (province, branches, outlets), brands and
the channel accounts each organisation runs."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from content.secrets import SecretField

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
    _("代码只能包含字母、数字、点、下划线和连字符"),
    code="invalid_code",
)

# The level a parent must have, by the level of its child.
PARENT_LEVEL = {"province": None, "branch": "province", "outlet": "branch"}


class Organisation(index.Indexed, models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("省公司")
        BRANCH = "branch", _("地市分公司")
        OUTLET = "outlet", _("营业厅")

    code = models.CharField(_("代码"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    # Isolation treats an organisation as owned by itself.
    organisation_lookup = "id"

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("code"),
        index.FilterField("level"),
        index.FilterField("id"),
    ]

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def clean(self):
        from content.services.organisations import validate_organisation_tree

        validate_organisation_tree(self)

    def ancestor_ids(self):
        """Ids from the parent up to the province (the tree is at most three deep)."""
        ids, node, seen = [], self.parent, {self.pk}
        while node is not None and node.pk not in seen:
            ids.append(node.pk)
            seen.add(node.pk)
            node = node.parent
        return ids


class Brand(index.Indexed, models.Model):
    code = models.CharField(_("代码"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=50)

    search_fields = [index.SearchField("name"), index.SearchField("code"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("品牌")
        verbose_name_plural = _("品牌")
        ordering = ["code"]

    def __str__(self):
        return self.name


class OrganisationOwned(models.Model):
    """Abstract base of every record an organisation owns; isolation keys on it."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("所属组织"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True

    @classmethod
    def shared_down_q(cls, org_ids):
        """Records of other organisations that ``org_ids`` may read. None by default."""
        return None


class ChannelAccount(index.Indexed, OrganisationOwned):
    class Type(models.TextChoices):
        WECHAT_OFFICIAL_ACCOUNT = "wechat_official_account", _("微信公众号")
        WECHAT_MINIPROGRAM = "wechat_miniprogram", _("微信小程序")
        SMS = "sms", _("短信营业厅")
        WEB = "web", _("网上营业厅")

    SECRET_FIELDS = ("app_secret", "callback_token", "encoding_aes_key", "webhook_key")

    code = models.CharField(_("代码"), max_length=64, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=100)
    type = models.CharField(_("渠道类型"), max_length=32, choices=Type.choices)
    enabled = models.BooleanField(_("启用"), default=True)
    app_id = models.CharField(_("AppID"), max_length=64, blank=True)
    original_id = models.CharField(_("原始ID"), max_length=64, blank=True)
    service_number = models.CharField(_("服务号码"), max_length=32, blank=True)
    signature = models.CharField(_("短信签名"), max_length=20, blank=True, help_text=_("例如【中国移动】"))
    opt_out_text = models.CharField(_("退订提示"), max_length=40, blank=True, default="拒收请回复R")
    max_segments = models.PositiveSmallIntegerField(_("最大短信条数"), default=3)
    base_url = models.URLField(_("站点地址"), blank=True)
    api_base_url = models.URLField(
        _("接口地址"), blank=True, help_text=_("留空使用默认的微信接口地址;本地演示指向微信接口模拟器")
    )
    class OfficialKind(models.TextChoices):
        SERVICE = "service", _("服务号")
        SUBSCRIPTION = "subscription", _("订阅号")

    # WeChat's mass-send quota depends on it (wechat.limits: a subscription account
    # once a day, a service account four per follower a month).
    official_kind = models.CharField(
        _("公众号类型"), max_length=16, choices=OfficialKind.choices, default=OfficialKind.SERVICE,
        help_text=_("仅公众号:决定群发额度(订阅号每天 1 次;服务号每位粉丝每月 4 条)"),
    )
    keep_replaced_articles = models.BooleanField(
        _("保留被替换的旧图文"), default=False,
        help_text=_("仅公众号:图文修改后再次发布时,默认删除该账号上的旧文章;勾选则保留旧文章"),
    )
    app_secret = SecretField(_("AppSecret"))
    callback_token = SecretField(_("回调Token"))
    encoding_aes_key = SecretField(_("EncodingAESKey"))
    webhook_key = SecretField(_("Webhook密钥"))

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("code"),
        index.FilterField("type"),
        index.FilterField("organisation"),
        index.FilterField("id"),
    ]

    class Meta:
        verbose_name = _("渠道账号")
        verbose_name_plural = _("渠道账号")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def clean(self):
        from content.services.accounts import validate_account

        validate_account(self)

    def secret_is_set(self, field):
        return bool(getattr(self, field))

    def secret_is_readable(self, field):
        """False when the stored value was encrypted under a key no longer configured."""
        return getattr(self, field).readable


class EditorProfile(models.Model):
    """Which organisation an admin user works for; their scope follows from it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="editor_profile", verbose_name=_("用户")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="editors", verbose_name=_("所属组织")
    )

    class Meta:
        verbose_name = _("编辑归属")
        verbose_name_plural = _("编辑归属")

    def __str__(self):
        return f"{self.user} @ {self.organisation.code}"
