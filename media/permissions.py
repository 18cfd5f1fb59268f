"""Image permissions: Wagtail's collection permissions (granted to the role groups
on the root collection) narrowed to the user's organisation collections. A branch
editor changes images of their own collection and those below it, and chooses
from those plus the collections above it (the province's shared images)."""

from wagtail.permission_policies.collections import CollectionOwnershipPermissionPolicy

WRITE_ACTIONS = frozenset({"add", "change", "delete"})


def _is_write(actions):
    return bool(WRITE_ACTIONS & set(actions))


class OrganisationImagePermissionPolicy(CollectionOwnershipPermissionPolicy):
    def readable_instances(self, user):
        """Images of the collections the user chooses from (own and above)."""
        from media.services import collections_for_user

        allowed = collections_for_user(user, write=False)
        queryset = self.model._default_manager.all()
        return queryset if allowed is None else queryset.filter(collection_id__in=allowed)

    def _allowed(self, user, actions):
        from media.services import collections_for_user

        return collections_for_user(user, write=_is_write(actions))

    def user_has_any_permission_for_instance(self, user, actions, instance):
        if not super().user_has_any_permission_for_instance(user, actions, instance):
            return False
        allowed = self._allowed(user, actions)
        return allowed is None or instance.collection_id in allowed

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = super().instances_user_has_any_permission_for(user, actions)
        allowed = self._allowed(user, actions)
        return queryset if allowed is None else queryset.filter(collection_id__in=allowed)

    def collections_user_has_any_permission_for(self, user, actions):
        collections = super().collections_user_has_any_permission_for(user, actions)
        allowed = self._allowed(user, actions)
        return collections if allowed is None else collections.filter(pk__in=allowed)


def grant_role_collection_permissions(**kwargs):
    """Editors and publishers may add, change and choose images on the root
    collection; the policy narrows that to their organisations (idempotent)."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupCollectionPermission

    from content import roles

    from media.services import root_collection

    root = root_collection()
    permissions = list(
        Permission.objects.filter(
            content_type__app_label="wagtailimages", codename__in=["add_image", "change_image", "choose_image"]
        )
    )
    for name in (roles.EDITORS, roles.PUBLISHERS):
        group, _created = Group.objects.get_or_create(name=name)
        for permission in permissions:
            GroupCollectionPermission.objects.get_or_create(group=group, collection=root, permission=permission)
