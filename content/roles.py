"""Role groups (Wagtail groups): which models editors and publishers may touch.
Isolation by organisation narrows these further (content.permissions)."""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

EDITORS = "编辑"
PUBLISHERS = "发布审核"

# (app_label, model) -> actions, filled by each app's ready() via grant().
_GRANTS = {EDITORS: {}, PUBLISHERS: {}}


def grant(group, model, actions):
    key = (model._meta.app_label, model._meta.model_name)
    _GRANTS[group].setdefault(key, set()).update(actions)


def sync_role_groups(**kwargs):
    """Create the groups and give them their model permissions (idempotent)."""
    from wagtail.models import GroupApprovalTask  # noqa: F401  (ensures wagtail loaded)

    for name, grants in _GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for (app_label, model_name), actions in grants.items():
            try:
                ct = ContentType.objects.get(app_label=app_label, model=model_name)
            except ContentType.DoesNotExist:
                continue
            codenames = [f"{action}_{model_name}" for action in actions]
            wanted.extend(Permission.objects.filter(content_type=ct, codename__in=codenames))
        admin_access = Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
        group.permissions.add(*wanted, *admin_access)
