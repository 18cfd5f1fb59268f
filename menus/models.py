"""Channel menus: a menu per channel account (and per-brand variants), edited as
draft node rows and published as immutable, numbered JSON versions."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import DraftStateMixin, LockableMixin, RevisionMixin, WorkflowMixin

from content.models.organisations import code_validator


class NodeType(models.TextChoices):
    SUBMENU = "submenu", _("子菜单")
    COMMAND = "command", _("短信指令")
    CLICK = "click", _("点击")
    VIEW = "view", _("跳转网页")
    MINIPROGRAM = "miniprogram", _("小程序")
    MEDIA_ID = "media_id", _("图文素材")
    ARTICLE_ID = "article_id", _("发布的图文")
    # Navigation of the web hall and the mini-program (menus.navigation).
    CATEGORY = "category", _("分类")
    SHELF = "shelf", _("货架")


class ShelfKind(models.TextChoices):
    PACKAGE = "package", _("资费套餐")
    BUSINESS = "business", _("增值业务")


class Menu(WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, models.Model):
    """The menu of one channel account; with ``brand`` set, that brand's variant of
    the account's base menu (its nodes override base nodes of the same key)."""

    code = models.CharField(_("代码"), max_length=64, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=100)
    account = models.ForeignKey(
        "content.ChannelAccount", verbose_name=_("渠道账号"), on_delete=models.PROTECT, related_name="menus"
    )
    brand = models.ForeignKey(
        "content.Brand",
        verbose_name=_("品牌变体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空为基础菜单;选择品牌则为该品牌的变体,覆盖基础菜单中同一键的节点"),
    )
    revisions = GenericRelation(
        "wagtailcore.Revision",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="menus_menu",
        for_concrete_model=False,
    )
    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="menus_menu",
        for_concrete_model=False,
    )

    organisation_lookup = "account__organisation_id"

    class Meta:
        verbose_name = _("菜单")
        verbose_name_plural = _("菜单")
        ordering = ["account__code", "brand__code"]
        constraints = [
            models.UniqueConstraint(fields=["account", "brand"], name="menus_one_variant_per_brand"),
            models.UniqueConstraint(
                fields=["account"], condition=models.Q(brand__isnull=True), name="menus_one_base_per_account"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_variant(self):
        return self.brand_id is not None

    def base_menu(self):
        """The account's base menu a variant overrides (None for a base menu)."""
        if not self.is_variant:
            return None
        return Menu.objects.filter(account_id=self.account_id, brand__isnull=True).first()

    def clean(self):
        from menus.validation import validate_menu_fields

        validate_menu_fields(self)

    def serializable_data(self):
        # A revision carries the draft tree, so a workflow approves and publishes
        # exactly the tree that was submitted, not later edits.
        from menus.tree import draft_tree

        data = super().serializable_data()
        if getattr(self, "_revision_tree", True):
            data["tree"] = draft_tree(self)
        return data

    def publish(self, revision, user=None, changed=True, log_action=True, previous_revision=None,
                skip_permission_checks=False):
        from menus.services import publish_revision

        return publish_revision(
            self, revision, user=user, changed=changed, log_action=log_action,
            previous_revision=previous_revision, skip_permission_checks=skip_permission_checks,
        )


class MenuNode(models.Model):
    """One draft node; the tree is adjacency by parent and sibling order, loaded in
    one query. ``uid`` follows the node across versions for diffs."""

    menu = models.ForeignKey(Menu, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    key = models.CharField(_("键"), max_length=16, help_text=_("本层的键:短信为1-9或扩展键x1,微信与网站为序号"))
    name = models.CharField(_("名称"), max_length=100)
    order = models.PositiveIntegerField(_("顺序"), default=0)
    type = models.CharField(_("类型"), max_length=16, choices=NodeType.choices, default=NodeType.SUBMENU)
    brands = models.JSONField(_("适用品牌"), default=list, blank=True, help_text=_("品牌代码;留空为全部品牌"))
    hidden = models.BooleanField(_("隐藏"), default=False)
    valid = models.BooleanField(_("有效"), default=True)
    # In a brand variant: a placeholder taking the base node's attributes, so that
    # overrides deeper down have a parent.
    inherit = models.BooleanField(_("沿用基础菜单"), default=False)
    command = models.CharField(_("短信指令"), max_length=20, blank=True)
    reply_template = models.ForeignKey(
        "content.SmsTemplate", verbose_name=_("回复模板"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    url = models.CharField(_("链接"), max_length=2048, blank=True)
    event_key = models.CharField(_("事件KEY"), max_length=256, blank=True)
    miniprogram_account = models.ForeignKey(
        "content.ChannelAccount", verbose_name=_("小程序账号"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    pagepath = models.CharField(_("小程序页面"), max_length=255, blank=True)
    article = models.ForeignKey(
        "content.Article", verbose_name=_("图文"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shelf_kind = models.CharField(_("货架内容"), max_length=16, choices=ShelfKind.choices, blank=True)
    family = models.CharField(
        _("系列"), max_length=100, blank=True, help_text=_("货架列出的套餐系列(套餐)或业务类别(业务)")
    )

    class Meta:
        verbose_name = _("菜单节点")
        verbose_name_plural = _("菜单节点")
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["menu", "parent", "order"], name="menus_node_sibling_order")]
        constraints = [models.UniqueConstraint(fields=["menu", "uid"], name="menus_node_uid_per_menu")]

    def __str__(self):
        return f"{self.key} {self.name}"


class MenuVersion(models.Model):
    """An immutable published tree: number, author, time, comment and the JSON of
    nested nodes, so serving the published menu is one query."""

    menu = models.ForeignKey(Menu, on_delete=models.CASCADE, related_name="versions", verbose_name=_("菜单"))
    number = models.PositiveIntegerField(_("版本号"))
    tree = models.JSONField(_("节点树"), default=list)
    node_count = models.PositiveIntegerField(_("节点数"), default=0)
    tree_hash = models.CharField(_("树摘要"), max_length=64)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    comment = models.CharField(_("说明"), max_length=255, blank=True)
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rolled_back_from = models.PositiveIntegerField(_("回滚自版本"), null=True, blank=True)

    class Meta:
        verbose_name = _("菜单版本")
        verbose_name_plural = _("菜单版本")
        ordering = ["menu", "-number"]
        constraints = [models.UniqueConstraint(fields=["menu", "number"], name="menus_version_number_per_menu")]

    def __str__(self):
        return f"{self.menu} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError({"number": _("已发布的菜单版本不可修改")}, code="immutable")
        super().save(*args, **kwargs)


class FollowerTag(models.Model):
    """The WeChat follower tag of a brand on an official account, created by the
    platform (tags/create); the brand's conditional menu matches it and the operator's
    CRM tags the brand's followers with it."""

    account = models.ForeignKey(
        "content.ChannelAccount", verbose_name=_("渠道账号"), on_delete=models.CASCADE, related_name="follower_tags"
    )
    brand = models.ForeignKey("content.Brand", verbose_name=_("品牌"), on_delete=models.CASCADE, related_name="+")
    tag_id = models.PositiveIntegerField(_("微信用户标签ID"))
    name = models.CharField(_("标签名"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    organisation_lookup = "account__organisation_id"

    class Meta:
        verbose_name = _("粉丝标签")
        verbose_name_plural = _("粉丝标签")
        ordering = ["account", "brand"]
        constraints = [models.UniqueConstraint(fields=["account", "brand"], name="menus_one_tag_per_brand_account")]

    def __str__(self):
        return f"{self.account_id}/{self.brand_id}: {self.tag_id}"


class MenuRollout(models.Model):
    """An official account chosen to be served the base menu of an account above it
    (the province's menu on a branch's account), with the account's variables
    substituted. An account follows at most one rolled-out menu."""

    menu = models.ForeignKey(
        Menu, verbose_name=_("下发的菜单"), on_delete=models.CASCADE, related_name="rollouts",
        limit_choices_to={"brand__isnull": True},
    )
    account = models.OneToOneField(
        "content.ChannelAccount", verbose_name=_("接收账号"), on_delete=models.CASCADE, related_name="menu_rollout"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("下发时间"), auto_now_add=True)

    organisation_lookup = "account__organisation_id"

    class Meta:
        verbose_name = _("菜单下发")
        verbose_name_plural = _("菜单下发")
        ordering = ["menu", "account__code"]

    def __str__(self):
        return f"{self.menu_id} → {self.account_id}"


class AccountVariable(models.Model):
    """A value of one account substituted for ``{name}`` in node names, URLs and
    keys of the menus it is served (e.g. ``hall_url``: the branch's hall URL)."""

    account = models.ForeignKey(
        "content.ChannelAccount", verbose_name=_("渠道账号"), on_delete=models.CASCADE, related_name="menu_variables"
    )
    name = models.CharField(
        _("变量名"), max_length=32,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]{0,31}$", _("变量名须以小写字母开头,只含小写字母、数字和下划线"))],
        help_text=_("菜单中写作 {变量名},例如 {hall_url}"),
    )
    value = models.CharField(_("取值"), max_length=1024, blank=True)

    organisation_lookup = "account__organisation_id"

    class Meta:
        verbose_name = _("菜单变量")
        verbose_name_plural = _("菜单变量")
        ordering = ["account__code", "name"]
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="menus_one_value_per_variable")]

    def __str__(self):
        return f"{{{self.name}}}"

    def clean(self):
        from menus.variables import BUILT_IN

        if self.name in BUILT_IN:
            raise ValidationError({"name": ValidationError(
                _("%(name)s 由账号自身提供,不能另设") % {"name": self.name}, code="built_in")})
