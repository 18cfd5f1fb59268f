"""The publisher's review queue on the admin home (等待你的审查): Wagtail's panel,
each item with what a reviewer decides on: its kind, organisation, submitter and
submission time, the channels and number of accounts it will reach
(content.reach.target_accounts) and the channel checks that would refuse its
approval (content.checks, the renditions' blocking warnings)."""

from collections import Counter

from wagtail.admin.views.home import WorkflowObjectsToModeratePanel

from content import kinds
from content.checks import blocking_checks
from content.reach import target_accounts


def review_context(item, workflow_state):
    """What the queue shows of ``item`` (the revision under review) beside Wagtail's columns."""
    kind = kinds.kind_of(item)
    organisation = getattr(item, "organisation", None) or getattr(getattr(item, "account", None), "organisation", None)
    accounts = list(target_accounts(item)) if kind is not None and kind.editorial else []
    channels = Counter(account.get_type_display() for account in accounts)
    return {
        "kind": kind.label if kind is not None else type(item)._meta.verbose_name,
        "organisation": organisation.name if organisation is not None else "",
        "submitter": workflow_state.requested_by,
        "submitted_at": workflow_state.created_at,
        "channels": sorted(channels.items()),
        "account_count": len(accounts),
        "blocking": [str(warning) for warning in blocking_checks(item)] if kind is not None and kind.editorial else [],
    }


class ReviewQueuePanel(WorkflowObjectsToModeratePanel):
    template_name = "publishing/admin/review_queue.html"

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        for state in context["states"]:
            revision = state["task_state"].revision
            item = revision.as_object() if revision is not None else state["obj"]
            state["review"] = review_context(item, state["task_state"].workflow_state)
        return context
