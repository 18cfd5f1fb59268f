"""The message log under organisation isolation, read-only for everyone: rows are
written by the endpoint, never in the admin."""

from content.permissions import OrganisationPermissionPolicy

WRITE_ACTIONS = frozenset({"add", "change", "copy", "lock", "unlock", "publish"})


class MessageLogPolicy(OrganisationPermissionPolicy):
    def user_has_permission(self, user, action):
        return action not in WRITE_ACTIONS and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return super().user_has_any_permission(user, [a for a in actions if a not in WRITE_ACTIONS])

    def user_has_permission_for_instance(self, user, action, instance):
        return action not in WRITE_ACTIONS and super().user_has_permission_for_instance(user, action, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        reads = [a for a in actions if a not in WRITE_ACTIONS]
        return bool(reads) and super().user_has_any_permission_for_instance(user, reads, instance)
