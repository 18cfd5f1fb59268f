"""The editorial lifecycle every content model shares, on Wagtail's own mixins:
drafts, revisions, scheduled go-live/expiry, locking, approval workflows, preview."""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from modelcluster.models import ClusterableModel
from wagtail.models import DraftStateMixin, LockableMixin, PreviewableMixin, RevisionMixin, WorkflowMixin
from wagtail.search import index

from .organisations import OrganisationOwned


class EditorialModel(
    WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, PreviewableMixin, index.Indexed, ClusterableModel
):
    revisions = GenericRelation(
        "wagtailcore.Revision",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="%(app_label)s_%(class)s",
        for_concrete_model=False,
    )
    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="%(app_label)s_%(class)s",
        for_concrete_model=False,
    )

    class Meta:
        abstract = True

    def __init__(self, *args, **kwargs):
        # ClusterableModel's constructor scans every field of the model for child
        # relations passed as keywords; rows loaded from the database never pass
        # any, and the scan is a third of building each instance of a page.
        if kwargs:
            super().__init__(*args, **kwargs)
        else:
            models.Model.__init__(self, *args)

    def publish(self, revision, *args, **kwargs):
        # Every publish path ends here: an item an open release holds waits for the release.
        from content.holds import refuse_held

        refuse_held(self)
        return super().publish(revision, *args, **kwargs)

    def get_preview_template(self, request, mode_name):
        return f"content/preview/{self._meta.model_name}.html"

    def get_preview_context(self, request, mode_name):
        context = super().get_preview_context(request, mode_name)
        context["object"] = self
        return context


class OwnedEditorialModel(EditorialModel, OrganisationOwned):
    class Meta:
        abstract = True
