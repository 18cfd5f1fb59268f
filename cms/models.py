"""API clients: the front ends (WeChat matrix, mini-program, SMS gateway, web hall)
that read published content through GraphQL.

A client is bound to an organisation and to channel accounts. It authenticates
with Wagtail's hashed, revocable ``APIToken`` of its own service user, so tokens
are issued and revoked like any Wagtail API token and only a hash is stored."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiClient(models.Model):
    name = models.CharField(_("名称"), max_length=100, unique=True)
    organisation = models.ForeignKey(
        "content.Organisation", verbose_name=_("所属组织"), on_delete=models.PROTECT, related_name="api_clients"
    )
    accounts = models.ManyToManyField(
        "content.ChannelAccount", verbose_name=_("渠道账号"), related_name="api_clients"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("服务用户"),
        on_delete=models.CASCADE,
        related_name="api_client",
        editable=False,
    )
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True, help_text=_("留空表示长期有效"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    # Isolation keys on the client's organisation.
    organisation_lookup = "organisation_id"

    class Meta:
        verbose_name = _("API 客户端")
        verbose_name_plural = _("API 客户端")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        from cms.callers.clients import validate_client

        validate_client(self)

    @property
    def expired(self):
        return self.expires_at is not None and self.expires_at <= timezone.now()



# -- the admin's log under organisation isolation ---------------------------------

from wagtail.models import ModelLogEntry
from wagtail.models.audit_log import ModelLogEntryManager


def _permitted_content_type_ids(user):
    """Content types the user holds a permission on (what Wagtail's log keeps a user to)."""
    from django.contrib.auth.models import Permission

    held = user.get_all_permissions()
    rows = Permission.objects.filter(codename__in={name.split(".", 1)[1] for name in held}).values_list(
        "content_type_id", "content_type__app_label", "codename"
    )
    return {content_type_id for content_type_id, app_label, codename in rows if f"{app_label}.{codename}" in held}


class ScopedModelLogEntryManager(ModelLogEntryManager):
    def viewable_by_user(self, user):
        from content.permissions import readable_references_q, scope_for_user

        if not user.is_superuser and not hasattr(user, "_allowed_content_type_ids"):
            # Wagtail first reads the content types the whole log uses (a scan of it,
            # growing with the log) to narrow the permissions it tests: the user's own
            # permissions keep the same rows.
            user._allowed_content_type_ids = _permitted_content_type_ids(user)
        entries = super().viewable_by_user(user)
        if scope_for_user(user).everything:
            return entries
        # Read once per request (the user object is the request's), like Wagtail's own.
        logged = user.__dict__.setdefault("_logged_content_type_ids", {})
        if self.model._meta.db_table not in logged:
            logged[self.model._meta.db_table] = logged_content_type_ids(self.model)
        return entries.filter(readable_references_q(user, among=logged[self.model._meta.db_table]))


def logged_content_type_ids(log_model):
    """The content types ``log_model``'s entries name, by a skip scan of its content
    type index (one probe per type, however long the log). Site history's scope asks
    a subquery only for these: a subquery per scoped model (the million-row message
    log, the jobs, the sends among them) doubled the planning of each read of the log
    and priced it in the hundreds of millions (JIT-compiled for seconds). A type
    logged after this read is left out of the request's scope, never shown unscoped."""
    from django.db import connection

    table = connection.ops.quote_name(log_model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH RECURSIVE types(id) AS (
                    SELECT min(content_type_id) FROM {table}
                    UNION ALL
                    SELECT (SELECT min(content_type_id) FROM {table} WHERE content_type_id > types.id)
                    FROM types WHERE types.id IS NOT NULL
                ) SELECT id FROM types WHERE id IS NOT NULL"""
        )
        return {row[0] for row in cursor.fetchall()}


class ScopedModelLogEntry(ModelLogEntry):
    """Wagtail's log of non-page records; what a user is shown of it (site history,
    its user and type filters) leaves out records of organisations they cannot read.
    Registered in place of ``ModelLogEntry`` (cms/wagtail_hooks.py); same table."""

    objects = ScopedModelLogEntryManager()

    class Meta:
        proxy = True


# -- operations: the worker's heartbeat and beat's sent slots ------------------------


class WorkerHeartbeat(models.Model):
    """The last sign of life of a Celery worker, stamped by the worker itself
    (cms/heartbeat.py); readiness fails when no worker stamped recently."""

    hostname = models.CharField(_("工作进程"), max_length=200, unique=True)
    seen_at = models.DateTimeField(_("最近心跳"))

    class Meta:
        verbose_name = _("工作进程心跳")
        verbose_name_plural = _("工作进程心跳")


class BeatSlot(models.Model):
    """A periodic task sent for one slot of its schedule: the first beat to claim the
    slot sends it, a second beat finds the row and sends nothing (cms/beat.py)."""

    task = models.CharField(_("任务"), max_length=200)
    slot = models.BigIntegerField(_("时段"))
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("定时任务时段")
        verbose_name_plural = _("定时任务时段")
        constraints = [models.UniqueConstraint(fields=["task", "slot"], name="cms_beatslot_once")]
