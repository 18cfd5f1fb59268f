"""Role groups (Wagtail groups): which models editors and publishers may touch.
Isolation by organisation narrows these further (content.permissions).

The groups get their permissions once, by the migrate that creates the database;
what an operator changes afterwards stays. ``manage.py sync_roles`` gives them back
what is missing (after an upgrade that brought new models, or to undo a change)."""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

EDITORS = "编辑"
PUBLISHERS = "发布审核"

# (app_label, model) -> actions, filled by each app's ready() via grant().
_GRANTS = {EDITORS: {}, PUBLISHERS: {}}


def grant(group, model, actions):
    key = (model._meta.app_label, model._meta.model_name)
    _GRANTS[group].setdefault(key, set()).update(actions)


def granted_permissions(name):
    """The permissions the role ``name`` is meant to have."""
    wanted = []
    for (app_label, model_name), actions in _GRANTS[name].items():
        try:
            ct = ContentType.objects.get(app_label=app_label, model=model_name)
        except ContentType.DoesNotExist:
            continue
        codenames = [f"{action}_{model_name}" for action in actions]
        wanted.extend(Permission.objects.filter(content_type=ct, codename__in=codenames))
    wanted.extend(Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin"))
    return wanted


def missing_permissions():
    """{group name: permissions it is meant to have and has not}, groups created if absent."""
    missing = {}
    for name in _GRANTS:
        group, _ = Group.objects.get_or_create(name=name)
        held = set(group.permissions.values_list("pk", flat=True))
        missing[name] = [p for p in granted_permissions(name) if p.pk not in held]
    return missing


def sync_role_groups(**kwargs):
    """Create the groups and give them every permission they are meant to have that
    they lack (``sync_roles``; nothing an operator added is taken away)."""
    missing = missing_permissions()
    for name, permissions in missing.items():
        Group.objects.get(name=name).permissions.add(*permissions)
    return missing


def _creates_the_database(plan):
    return any(m.app_label == "content" and m.name == "0001_initial" and not backwards for m, backwards in plan)


def seed_role_groups(sender, plan=None, **kwargs):
    """post_migrate: the groups and their permissions, once. Runs after the last app's
    post_migrate (every permission exists by then) when this migrate created content's
    tables, or after a flush emptied the database (no plan)."""
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender is not last:
        return
    if plan is None or _creates_the_database(plan):
        sync_role_groups()
