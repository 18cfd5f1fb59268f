"""The approval workflow every editorial model goes through: an editor submits,
a publisher (发布审核) of the same or a parent organisation approves."""

from django.db import transaction

WORKFLOW_NAME = "内容发布审核"
TASK_NAME = "发布审核"


# Models of apps above content that go through the same approval (a release, a mass
# send), registered by their app's ready().
_REGISTERED = []


def register_workflow_model(model):
    """Called in an upper app's ``ready()``: ``model`` is approved by this workflow too."""
    if model not in _REGISTERED:
        _REGISTERED.append(model)


def workflow_models():
    from content import kinds

    return kinds.editorial_models() + tuple(_REGISTERED)


@transaction.atomic
def ensure_approval_workflow(**kwargs):
    """Create the workflow and assign it to every editorial model (idempotent;
    runs after every migrate). An administrator's own assignment of another
    workflow to a model is left alone."""
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Workflow, WorkflowContentType, WorkflowTask

    from content import roles
    from content.models.workflow import OrganisationApprovalTask

    # After a flush (transactional tests) cached content type ids are stale.
    ContentType.objects.clear_cache()
    publishers, _created = Group.objects.get_or_create(name=roles.PUBLISHERS)
    task = OrganisationApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = OrganisationApprovalTask.objects.create(name=TASK_NAME)
    task.groups.add(publishers)
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=workflow.workflow_tasks.count())
    for model in workflow_models():
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        WorkflowContentType.objects.get_or_create(content_type=content_type, defaults={"workflow": workflow})
    return workflow

