"""Wagtail's admin API (``/admin/api/main/``: pages, images, documents) under the
same policies as the admin views: every endpoint lists and returns only what the
model's registered permission policy lets the user choose or change (pages: what
they may explore). An endpoint whose model has no such policy answers nothing to
anyone but administrators."""

from wagtail.models import Page
from wagtail.permissions import policy_registry

READ_ACTIONS = ["choose", "change"]


def readable(model, user):
    """The records of ``model`` the admin API may show ``user``."""
    if user.is_superuser:
        return model._default_manager.all()
    policy = policy_registry.get_by_type(model)
    if issubclass(model, Page):
        return policy.explorable_instances(user)
    if policy is None or not hasattr(policy, "instances_user_has_any_permission_for"):
        return model._default_manager.none()
    return policy.instances_user_has_any_permission_for(user, READ_ACTIONS)


class PolicyScopedEndpoint:
    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.filter(pk__in=readable(queryset.model, self.request.user).values("pk"))


def scope_endpoints(router):
    """Replace every registered endpoint by its policy-scoped subclass."""
    for name, endpoint in list(router._endpoints.items()):
        if not issubclass(endpoint, PolicyScopedEndpoint):
            scoped = type(f"Scoped{endpoint.__name__}", (PolicyScopedEndpoint, endpoint), {})
            router.register_endpoint(name, scoped)
