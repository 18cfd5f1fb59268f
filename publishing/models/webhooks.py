"""Webhook endpoints of channel accounts (SMS gateways, web and mini-program back
ends) and the signed deliveries sent to them, in order, with every attempt logged."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from content.secrets import SecretField

from .publications import FINISHED_STATES, Publication, State


class WebhookEndpoint(models.Model):
    """Where an account's bundle changes are pushed; the secret signs each delivery."""

    account = models.ForeignKey(
        "content.ChannelAccount", verbose_name=_("渠道账号"), on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    name = models.CharField(_("名称"), max_length=100, blank=True)
    url = models.URLField(_("地址"), max_length=500)
    secret = SecretField(_("签名密钥"))
    enabled = models.BooleanField(_("启用"), default=True)
    # The bundle version the receiver acknowledged last; the next delivery carries what changed since.
    acked_version = models.JSONField(_("已送达版本"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    organisation_lookup = "account__organisation_id"

    class Meta:
        verbose_name = _("Webhook 端点")
        verbose_name_plural = _("Webhook 端点")
        ordering = ["account", "pk"]

    def __str__(self):
        return self.name or self.url

    def clean(self):
        from publishing.webhooks import validate_endpoint

        validate_endpoint(self)


class Delivery(models.Model):
    """One signed POST of an account's bundle delta to one endpoint."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("端点"), on_delete=models.CASCADE, related_name="deliveries"
    )
    publication = models.ForeignKey(
        Publication, verbose_name=_("发布任务"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    replay_of = models.ForeignKey(
        "self", verbose_name=_("重放自"), null=True, blank=True, on_delete=models.SET_NULL, related_name="replays"
    )
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.QUEUED, db_index=True)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    since_version = models.JSONField(_("起始版本"), null=True, blank=True)
    version = models.JSONField(_("版本"), null=True, blank=True)
    # Computed at the first attempt and kept, so retries and replays send the same bytes.
    body = models.TextField(_("内容"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("最近响应码"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, db_index=True)
    first_attempt_at = models.DateTimeField(_("首次尝试"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    organisation_lookup = "endpoint__account__organisation_id"

    class Meta:
        verbose_name = _("Webhook 投递")
        verbose_name_plural = _("Webhook 投递")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["endpoint", "state"]), models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self):
        return f"#{self.pk} → {self.endpoint_id} {self.get_state_display()}"

    @property
    def finished(self):
        return self.state in FINISHED_STATES


class DeliveryAttempt(models.Model):
    """One HTTP attempt of a delivery: status and (truncated) response, or the network error."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField(_("序号"))
    started_at = models.DateTimeField(_("开始"), default=timezone.now)
    duration_ms = models.PositiveIntegerField(_("耗时(毫秒)"), default=0)
    status_code = models.PositiveIntegerField(_("响应码"), null=True, blank=True)
    response_body = models.TextField(_("响应内容"), blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("投递尝试")
        verbose_name_plural = _("投递尝试")
        ordering = ["delivery", "number"]

    @property
    def succeeded(self):
        return self.status_code is not None and 200 <= self.status_code < 300
