"""Isolation between organisations: the one place every admin view, import and
API asks what a user may see and change.

An editor belongs to an organisation (``EditorProfile``). They edit records of
their organisation and of the organisations below it, read what a parent
shared down to them, and never see a sibling branch. Superusers and editors of
the province see everything. Model permissions still come from Wagtail groups;
the policy only narrows them to the user's organisations."""

from dataclasses import dataclass

from django.db.models import Q
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

READ_ACTIONS = frozenset({"view"})


@dataclass(frozen=True)
class OrgScope:
    """The organisations a user edits (own subtree) and reads (plus ancestors)."""

    everything: bool
    editable: frozenset = frozenset()
    ancestors: frozenset = frozenset()

    @property
    def readable(self):
        return self.editable | self.ancestors


NOTHING = OrgScope(everything=False)


def scope_for_org(org):
    from content.models.organisations import Organisation
    from content.services.organisations import subtree_ids

    if org is None:
        return NOTHING
    if org.level == Organisation.Level.PROVINCE:
        return OrgScope(everything=True)
    return OrgScope(everything=False, editable=frozenset(subtree_ids(org.pk)), ancestors=frozenset(org.ancestor_ids()))


def scope_for_user(user):
    """Cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    cached = getattr(user, "_org_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = OrgScope(everything=True)
    else:
        profile = getattr(user, "editor_profile", None) if hasattr(user, "editor_profile") else None
        scope = scope_for_org(profile.organisation) if profile else NOTHING
    user._org_scope = scope
    return scope


def owner_paths(model):
    """The lookups from a model to its owning organisation id: one, or several
    alternatives when a record belongs either to an account or to an organisation
    (the first that is set owns it)."""
    lookup = getattr(model, "organisation_lookup", "organisation_id")
    return (lookup,) if isinstance(lookup, str) else tuple(lookup)


def _owned_q(model, org_ids):
    q = Q()
    for path in owner_paths(model):
        q |= Q(**{f"{path}__in": org_ids})
    return q


def visible_q(model, scope):
    """Records the scope may read: own subtree plus what was shared down."""
    if scope.everything:
        return Q()
    q = _owned_q(model, scope.editable)
    shared = model.shared_down_q(scope.editable) if hasattr(model, "shared_down_q") else None
    if shared is not None:
        q |= shared
    return q


def editable_q(model, scope):
    if scope.everything:
        return Q()
    return _owned_q(model, scope.editable)


def visible(queryset, scope):
    if not scope.everything and not scope.editable:
        return queryset.none()
    queryset = queryset.filter(visible_q(queryset.model, scope))
    if not scope.everything and getattr(queryset.model, "shared_down_joins_many", False):
        # Shared-down lookups across many-to-many relations can repeat rows.
        queryset = queryset.distinct()
    return queryset


def editable(queryset, scope):
    if not scope.everything and not scope.editable:
        return queryset.none()
    return queryset.filter(editable_q(queryset.model, scope))


def owner_id(instance):
    for path in owner_paths(type(instance)):
        value = instance
        for part in path.split("__"):
            value = getattr(value, part, None)
            if value is None:
                break
        if value is not None:
            return value
    return None


def can_edit(user, instance):
    scope = scope_for_user(user)
    return scope.everything or owner_id(instance) in scope.editable


def can_view(user, instance):
    scope = scope_for_user(user)
    if scope.everything or owner_id(instance) in scope.editable:
        return True
    # Shared-down records: one query per model and request (listings check every row).
    model = type(instance)
    cache = user.__dict__.setdefault("_visible_pks", {})
    if model not in cache:
        cache[model] = set(visible(model._default_manager.all(), scope).values_list("pk", flat=True))
    return instance.pk in cache[model]


class OrganisationPermissionPolicy(ModelPermissionPolicy):
    """Wagtail's model permissions (from groups), narrowed to the user's organisations."""

    def readable_instances(self, user):
        """What the scope lets the user read, whatever their model permissions."""
        return visible(self.model._default_manager.all(), scope_for_user(user))

    def choosable_instances(self, user):
        """What a choice (a list filter's, a form field's) may offer the user."""
        return self.readable_instances(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        if not self.user_has_any_permission(user, actions):
            return False
        if any(a not in READ_ACTIONS for a in actions) and can_edit(user, instance):
            return True
        return bool(READ_ACTIONS & set(actions)) and can_view(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        scope = scope_for_user(user)
        qs = self.model._default_manager.all()
        if READ_ACTIONS & set(actions):
            return visible(qs, scope)
        return editable(qs, scope)


class OrganisationTreePolicy(OrganisationPermissionPolicy):
    """Organisations themselves: the list shows the user's subtree; a choice also
    names its ancestors (the owners of what was shared down), never a sibling."""

    def choosable_instances(self, user):
        scope = scope_for_user(user)
        qs = self.model._default_manager.all()
        return qs if scope.everything else qs.filter(pk__in=scope.readable)


def register_org_scoped(model, policy_class=OrganisationPermissionPolicy):
    """Put a model under organisation isolation (call from AppConfig.ready)."""
    policy = policy_class(model)
    register_permission_policy(model, policy)
    register_read_scope(model, policy)
    return policy


# -- references to records: log entries, workflow states ------------------------
# Wagtail's reports and logs point at records by (content type, object id) and
# only check model permissions on the content type. Every model under a policy
# that can say what a user reads registers here, so those views can be narrowed.

_READ_SCOPES = {}


def register_read_scope(model, policy):
    """``policy.readable_instances(user)`` is what ``user`` may see of ``model``."""
    _READ_SCOPES[model] = policy


def readable_choices(queryset, user):
    """``queryset`` (the choices of a filter or form field) narrowed to what ``user``
    may read, when its model is under a read scope; otherwise unchanged."""
    policy = _READ_SCOPES.get(queryset.model)
    if policy is None or scope_for_user(user).everything:
        return queryset
    choosable = getattr(policy, "choosable_instances", policy.readable_instances)(user)
    return queryset.filter(pk__in=choosable.values("pk"))


def readable_references_q(user, content_type="content_type", object_id="object_id", among=None):
    """Generic references (``content_type``, ``object_id``) the user may see: to a
    scoped model, only its readable records (deleted ones left out: their
    organisation is unknown); to any other model, unchanged. ``among``: the content
    type ids the references can hold (e.g. those of the log), when the caller knows
    them; a scoped model outside them gets no subquery (its references, if any, are
    left out)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import CharField
    from django.db.models.functions import Cast

    if scope_for_user(user).everything:
        return Q()
    content_types = ContentType.objects.get_for_models(*_READ_SCOPES, for_concrete_models=False)
    q = ~Q(**{f"{content_type}__in": [ct.pk for ct in content_types.values()]})
    for model, ct in content_types.items():
        if among is not None and ct.pk not in among:
            continue
        ids = _READ_SCOPES[model].readable_instances(user).annotate(pk_text=Cast("pk", CharField())).values("pk_text")
        q |= Q(**{content_type: ct.pk, f"{object_id}__in": ids})
    return q
