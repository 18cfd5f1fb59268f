"""The approval step of the editorial workflow: Wagtail's group approval, limited
to publishers of the item's organisation or an organisation above it."""

from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from wagtail.models import GroupApprovalTask


class OrganisationApprovalTask(GroupApprovalTask):
    """A GroupApprovalTask whose approvers must also be able to edit the item
    under organisation isolation (same organisation or a parent)."""

    class Meta:
        verbose_name = _("组织内审核")
        verbose_name_plural = _("组织内审核")

    def _may_moderate(self, obj, user):
        from content.permissions import can_edit

        return user.is_superuser or (self._user_in_groups(user) and can_edit(user, obj))

    def user_can_access_editor(self, obj, user):
        return self._may_moderate(obj, user)

    def locked_for_user(self, obj, user):
        return not self._may_moderate(obj, user)

    def user_can_lock(self, obj, user):
        return self._may_moderate(obj, user)

    def on_action(self, task_state, user, action_name, **kwargs):
        # Refused before anything changes: approving would publish an item its
        # target channels cannot take (content.checks; e.g. a title over WeChat's
        # limit), unless the publisher explicitly leaves those channels out.
        without = kwargs.pop("without_channels", None) or []
        if action_name == "approve":
            from content.services.approval import record_left_out

            refuse_blocked_approval(task_state, without)
            record_left_out(_item_under_review(task_state), task_state.revision, user, without)
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_form_for_action(self, action):
        if action == "approve":
            from content.services.approval import ApproveForm

            return ApproveForm
        return super().get_form_for_action(action)

    def get_actions(self, obj, user):
        if self._may_moderate(obj, user):
            return super().get_actions(obj, user)
        return []

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        if user.is_superuser or not states.exists():
            return states
        return states.filter(moderatable_q(user))

    @classmethod
    def get_description(cls):
        return _("发布审核组中,与内容同组织或上级组织的成员可以审核")


def _item_under_review(task_state):
    revision = task_state.revision
    return revision.as_object() if revision is not None else task_state.workflow_state.content_object


def refuse_blocked_approval(task_state, without=()):
    """ValidationError listing the blocking channel checks of the revision under
    review, except those of the channels ``without`` leaves out."""
    from content.services.approval import refuse_blocked

    refuse_blocked(_item_under_review(task_state), without)


def moderatable_q(user):
    """Task states on items the user may edit, one subquery per editorial model."""
    from django.contrib.contenttypes.models import ContentType

    from content.permissions import editable, scope_for_user
    from content.workflows import workflow_models

    scope = scope_for_user(user)
    if scope.everything:
        return Q()
    q = Q(pk__in=[])
    for model in workflow_models():
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        ids = editable(model._default_manager.all(), scope).annotate(pk_text=Cast("pk", CharField())).values("pk_text")
        q |= Q(workflow_state__base_content_type=content_type, workflow_state__object_id__in=ids)
    return q
