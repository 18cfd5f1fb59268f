"""The editorial lifecycle in the admin: an editor creates and submits, a
publisher of the same or a parent organisation approves, a sibling cannot;
drafts, revisions and compare, scheduled go-live and expiry, locking."""

import datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import TaskState, WorkflowState

from content import roles
from content.models import Article, AutoReply, Business, Package, SmsTemplate, TemplateMessage
from content.tasks import publish_scheduled
from content.workflows import ensure_approval_workflow
from tests.support.factories import SmsAccountFactory, SmsTemplateFactory
from tests.support.images import make_image
from tests.support.users import make_editor

pytestmark = pytest.mark.django_db

URL = "wagtailsnippets_content_smstemplate:{}"


@pytest.fixture
def sibling_publisher(matrix):
    return make_editor("publisher-sx02", matrix["branch2"], roles.PUBLISHERS)


@pytest.fixture
def province_publisher(matrix):
    return make_editor("publisher-sx", matrix["province"], roles.PUBLISHERS)


def sms_form(org, **overrides):
    data = {
        "code": "SMS-NEW",
        "category": "reply",
        "organisation": str(org.pk),
        "text": "您的余额为{balance}元。",
        "parameters": "balance amount 10",
        "commands": "CXYE",
        "go_live_at": "",
        "expire_at": "",
    }
    data.update(overrides)
    return data


def submit_new_template(client, editor, org, **overrides):
    client.force_login(editor)
    response = client.post(reverse(URL.format("add")), {**sms_form(org, **overrides), "action-submit": "1"})
    assert response.status_code == 302, response.content.decode()[:3000]
    return SmsTemplate.objects.get(code=overrides.get("code", "SMS-NEW"))


def approve(client, publisher, template):
    client.force_login(publisher)
    task_state = TaskState.objects.for_instance(template).get(status=TaskState.STATUS_IN_PROGRESS)
    url = reverse(URL.format("workflow_action"), args=[template.pk, "approve", task_state.pk])
    return client.post(url, {"comment": ""})


def test_workflow_is_assigned_to_every_editorial_model_idempotently():
    first = ensure_approval_workflow()
    assert ensure_approval_workflow() == first
    for model in (Article, Package, Business, SmsTemplate, AutoReply, TemplateMessage):
        assert model.get_default_workflow() == first
    task = first.tasks.get().specific
    assert list(task.groups.values_list("name", flat=True)) == [roles.PUBLISHERS]


def test_editor_submits_and_publisher_of_the_same_branch_approves(client, matrix, branch_editor, branch_publisher):
    SmsAccountFactory(code="sms-10086", organisation=matrix["province"])
    # given an editor who creates a template and submits it
    template = submit_new_template(client, branch_editor, matrix["branch1"])
    assert not template.live and template.workflow_in_progress
    # saving reserved the template's command on the province's SMS account
    assert template.command_bindings.get().command == "CXYE"
    # then the editor may no longer edit it, and cannot approve it
    assert approve(client, branch_editor, template).status_code in (302, 403)
    template.refresh_from_db()
    assert not template.live
    # when a publisher of the same branch approves
    response = approve(client, branch_publisher, template)
    assert response.status_code == 302
    # then it is published
    template.refresh_from_db()
    assert template.live and not template.workflow_in_progress
    assert template.live_revision is not None and template.text == "您的余额为{balance}元。"
    assert template.command_bindings.get().command == "CXYE"


def test_publisher_of_a_parent_organisation_may_approve(client, matrix, branch_editor, province_publisher):
    template = submit_new_template(client, branch_editor, matrix["branch1"])
    assert approve(client, province_publisher, template).status_code == 302
    template.refresh_from_db()
    assert template.live


def test_publisher_of_a_sibling_branch_cannot_approve_or_see_it(client, matrix, branch_editor, sibling_publisher):
    template = submit_new_template(client, branch_editor, matrix["branch1"])
    assert approve(client, sibling_publisher, template).status_code == 404
    template.refresh_from_db()
    assert not template.live and template.workflow_in_progress
    # nothing from branch 1 waits in the sibling's review queue; branch 1's own publishers see it
    assert not TaskState.objects.reviewable_by(sibling_publisher).exists()


def test_review_queue_lists_items_of_own_and_lower_organisations(client, matrix, branch_editor, branch_publisher,
                                                                 province_publisher, sibling_publisher):
    template = submit_new_template(client, branch_editor, matrix["branch1"])
    mine = TaskState.objects.reviewable_by(branch_publisher)
    assert [ts.workflow_state.object_id for ts in mine] == [str(template.pk)]
    assert TaskState.objects.reviewable_by(province_publisher).count() == 1
    # the dashboard's review panel shows it to the branch's publisher, not to the sibling's
    client.force_login(branch_publisher)
    assert "SMS-NEW" in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(sibling_publisher)
    assert "SMS-NEW" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_editor_cannot_publish_directly(client, matrix, branch_editor):
    client.force_login(branch_editor)
    client.post(reverse(URL.format("add")), {**sms_form(matrix["branch1"]), "action-publish": "1"})
    template = SmsTemplate.objects.get(code="SMS-NEW")
    assert not template.live and template.live_revision is None


def test_form_refuses_a_bad_template_naming_the_field(client, matrix, branch_editor):
    client.force_login(branch_editor)
    response = client.post(reverse(URL.format("add")), {**sms_form(matrix["branch1"], text="余额{x}元"), "action-submit": "1"})
    assert response.status_code == 200
    form = response.context["form"]
    assert any("{x}" in m for m in form.errors["text"])
    assert any("balance" in m for m in form.errors["parameters"])
    assert not SmsTemplate.objects.filter(code="SMS-NEW").exists()


def test_form_reports_a_malformed_parameter_line(client, matrix, branch_editor):
    client.force_login(branch_editor)
    response = client.post(reverse(URL.format("add")), sms_form(matrix["branch1"], parameters="balance money"))
    assert any("第1行" in m and "money" in m for m in response.context["form"].errors["parameters"])


def test_drafts_revisions_history_and_compare(client, matrix, branch_publisher):
    client.force_login(branch_publisher)
    client.post(reverse(URL.format("add")), {**sms_form(matrix["branch1"]), "action-publish": "1"})
    template = SmsTemplate.objects.get(code="SMS-NEW")
    first_revision = template.live_revision
    # a draft edit keeps the live text
    client.post(reverse(URL.format("edit"), args=[template.pk]), sms_form(matrix["branch1"], text="余额{balance}元(草稿)"))
    template.refresh_from_db()
    assert template.text == "您的余额为{balance}元。" and template.has_unpublished_changes
    assert template.revisions.count() == 2
    history = client.get(reverse(URL.format("history"), args=[template.pk]))
    assert history.status_code == 200
    latest = template.latest_revision
    compare = client.get(reverse(URL.format("revisions_compare"), args=[template.pk, first_revision.pk, latest.pk]))
    assert compare.status_code == 200 and "草稿" in compare.content.decode()


def test_scheduled_go_live_and_expiry(client, matrix, branch_publisher):
    client.force_login(branch_publisher)
    go_live = timezone.localtime() + datetime.timedelta(days=1)
    client.post(
        reverse(URL.format("add")),
        {**sms_form(matrix["branch1"], go_live_at=go_live.strftime("%Y-%m-%d %H:%M")), "action-publish": "1"},
    )
    template = SmsTemplate.objects.get(code="SMS-NEW")
    # a publication scheduled for tomorrow is not live yet
    assert not template.live
    revision = template.latest_revision
    assert revision.approved_go_live_at is not None
    call_command("publish_scheduled")
    template.refresh_from_db()
    assert not template.live
    # when the time comes, the scheduled revision goes live
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save(update_fields=["approved_go_live_at", "content"])
    # (Celery beat runs the same work every minute)
    assert settings.CELERY_BEAT_SCHEDULE["content-publish-scheduled"]["task"] == publish_scheduled.name
    publish_scheduled.apply()
    template.refresh_from_db()
    assert template.live
    # and an expiry date in the past takes it down
    SmsTemplate.objects.filter(pk=template.pk).update(expire_at=timezone.now() - datetime.timedelta(minutes=1))
    call_command("publish_scheduled")
    template.refresh_from_db()
    assert not template.live and template.expired


def test_publisher_lock_keeps_editors_out(client, matrix, branch_editor, branch_publisher):
    template = SmsTemplateFactory(code="SMS-L", organisation=matrix["branch1"])
    client.force_login(branch_publisher)
    client.post(reverse(URL.format("lock"), args=[template.pk]))
    template.refresh_from_db()
    assert template.locked and template.locked_by == branch_publisher
    assert template.get_lock().for_user(branch_editor)
    client.force_login(branch_editor)
    client.post(reverse(URL.format("edit"), args=[template.pk]), sms_form(matrix["branch1"], code="SMS-L", text="改{balance}"))
    template.refresh_from_db()
    assert template.latest_revision is None or "改" not in template.latest_revision.content["text"]


def test_rejection_returns_the_item_to_the_editor(client, matrix, branch_editor, branch_publisher):
    template = submit_new_template(client, branch_editor, matrix["branch1"])
    client.force_login(branch_publisher)
    task_state = TaskState.objects.for_instance(template).get(status=TaskState.STATUS_IN_PROGRESS)
    client.post(reverse(URL.format("workflow_action"), args=[template.pk, "reject", task_state.pk]), {"comment": "请改短"})
    state = WorkflowState.objects.for_instance(template).get()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    template.refresh_from_db()
    assert not template.live


# --- every editorial model goes through the same approval ---------------------------------

from wagtail.permissions import policy_registry  # noqa: E402

from tests.support.factories import (  # noqa: E402
    ArticleFactory,
    AutoReplyFactory,
    BusinessFactory,
    PackageFactory,
    TemplateMessageFactory,
)

EDITORIAL = [Article, Package, Business, SmsTemplate, AutoReply, TemplateMessage]


def draft_of(model, matrix):
    if model is AutoReply:
        record = AutoReplyFactory(account=matrix["account_branch1"], keyword="审批词", live=False)
    else:
        factory = {Article: ArticleFactory, Package: PackageFactory, Business: BusinessFactory,
                   SmsTemplate: SmsTemplateFactory, TemplateMessage: TemplateMessageFactory}[model]
        # An article meets its WeChat account's rules (a cover): approval refuses one that does not.
        extra = {"cover_image": make_image(matrix["branch1"], title="cover")} if model is Article else {}
        record = factory(code="DRAFT-1", organisation=matrix["branch1"], live=False, **extra)
    record.save_revision()
    return record


@pytest.mark.parametrize("model", EDITORIAL, ids=lambda m: m.__name__)
def test_every_model_is_submitted_by_an_editor_and_approved_by_a_publisher(client, matrix, model, branch_editor,
                                                                          branch_publisher, sibling_publisher):
    record = draft_of(model, matrix)
    # editors cannot publish any editorial model; publishers can
    policy = policy_registry.get_by_type(model)
    assert not policy.user_has_permission(branch_editor, "publish")
    assert policy.user_has_permission(branch_publisher, "publish")
    # given the editor submits the draft
    model.get_default_workflow().start(record, branch_editor)
    task_state = TaskState.objects.for_instance(record).get(status=TaskState.STATUS_IN_PROGRESS)
    action = reverse(f"wagtailsnippets_content_{model._meta.model_name}:workflow_action",
                     args=[record.pk, "approve", task_state.pk])
    # then a sibling branch's publisher cannot approve it
    client.force_login(sibling_publisher)
    assert client.post(action, {"comment": ""}).status_code == 404
    # and the branch's publisher can: the item is published
    client.force_login(branch_publisher)
    assert client.post(action, {"comment": ""}).status_code == 302
    record.refresh_from_db()
    assert record.live and record.live_revision_id == record.latest_revision_id


@pytest.mark.parametrize("model", EDITORIAL, ids=lambda m: m.__name__)
def test_every_models_add_page_renders_in_chinese(client, matrix, superuser, model):
    client.force_login(superuser)
    response = client.get(reverse(f"wagtailsnippets_content_{model._meta.model_name}:add"))
    assert response.status_code == 200
    assert str(model._meta.verbose_name) in response.content.decode()


def test_sms_preview_renders_the_sample_message(client, matrix, branch_editor):
    SmsAccountFactory(code="sms-10086", organisation=matrix["province"])
    client.force_login(branch_editor)
    preview = reverse(URL.format("preview_on_add"))
    assert client.post(preview, sms_form(matrix["branch1"])).json()["is_valid"]
    body = client.get(preview).content.decode()
    assert "【中国移动】您的余额为58.00元。" in body
