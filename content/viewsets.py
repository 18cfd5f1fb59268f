"""Admin viewsets under organisation isolation.

Wagtail's generic edit, history, revision and workflow views load objects by
primary key without an instance check, so the check lives here, once, around
every view the viewset builds: a record outside the user's organisations is a
404, a record they may only read (shared down) refuses writes with 403."""

import functools

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import ObjectList
from wagtail.admin.views.generic import DeleteView, EditView
from wagtail.snippets.views.snippets import SnippetViewSet, WorkflowActionView

from content.models.organisations import Organisation
from content.permissions import can_edit, can_view, scope_for_user


class OrganisationOwnedForm(WagtailAdminModelForm):
    """Limits the organisation choice to the user's own; defaults to their own."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        field = self.fields.get("organisation")
        if field is None or for_user is None:
            return
        scope = scope_for_user(for_user)
        if not scope.everything:
            field.queryset = Organisation.objects.filter(pk__in=scope.editable)
            profile = getattr(for_user, "editor_profile", None)
            if profile and not self.instance.pk:
                field.initial = profile.organisation_id


def _is_write(view_class, request):
    return request.method == "POST" or issubclass(view_class, (EditView, DeleteView))


class CheckedWorkflowActionView(WorkflowActionView):
    """A reviewer's approval whose publish is refused (the content no longer meets a
    rule, e.g. a menu's template was unpublished meanwhile) tells the reviewer why and
    leaves the review where it was (the approval's transaction rolls back), instead
    of a server error."""

    MAX_MESSAGES = 20

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError as error:
            problems = error.messages
            messages.error(request, f"未能发布,审核仍在进行:{len(problems)} 处不符合规则")
            for problem in problems[: self.MAX_MESSAGES]:
                messages.error(request, problem)
            if request.headers.get("x-requested-with") == "XMLHttpRequest":
                return self.render_modal_json(request, {"step": "success", "redirect": self.redirect_url})
            return redirect(self.redirect_url)


class OrganisationScopedViewSet(SnippetViewSet):
    """A SnippetViewSet whose list, object views and forms respect isolation."""

    base_form_class = OrganisationOwnedForm
    workflow_action_view_class = CheckedWorkflowActionView

    def get_edit_handler(self):
        # Panels declared on the viewset get the viewset's base form (Wagtail
        # otherwise takes it from the model only).
        if hasattr(self, "panels") and not hasattr(self, "edit_handler"):
            return ObjectList(self.panels, base_form_class=self.base_form_class).bind_to_model(self.model)
        return super().get_edit_handler()

    def get_queryset(self, request):
        from wagtail.permissions import policy_registry

        policy = policy_registry.get_by_type(self.model)
        return policy.instances_user_has_any_permission_for(request.user, ["view", "change"])

    def construct_view(self, view_class, **kwargs):
        view = super().construct_view(view_class, **kwargs)
        model = self.model

        @functools.wraps(view)
        def guarded(request, *args, **view_kwargs):
            pk = view_kwargs.get("pk")
            if pk is not None:
                obj = model._default_manager.filter(pk=unquote(str(pk))).first()
                if obj is None or not can_view(request.user, obj):
                    raise Http404
                if _is_write(view_class, request) and not can_edit(request.user, obj):
                    raise PermissionDenied
            return view(request, *args, **view_kwargs)

        return guarded


# -- choosers ---------------------------------------------------------------
# A chooser (e.g. the article picked as a WeChat reply) lists and returns only
# records the user may read, the same rule as the listing.

from wagtail.snippets.views.chooser import (  # noqa: E402
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenMultipleView,
    SnippetChosenView,
)

from content.permissions import visible  # noqa: E402


class _ScopedObjectList:
    # The search backend (a chooser's ``?q=``) accepts filters only on the model's own
    # FilterFields, never across the relations the policy follows (an article shared
    # down, a package on sale in a branch, a reply owned through its account), so the
    # policy is applied as one filter on the primary key: every scoped model lists
    # ``index.FilterField("id")``, tests/content/test_chooser_search.py drives them all.
    def get_object_list(self):
        objects = super().get_object_list()
        readable = visible(objects.model._default_manager.all(), scope_for_user(self.request.user))
        return objects.filter(pk__in=readable.values("pk"))


class _ScopedChosen:
    def get_object(self, pk):
        obj = super().get_object(pk)
        if not can_view(self.request.user, obj):
            raise self.model_class.DoesNotExist
        return obj


class ScopedChooseView(_ScopedObjectList, ChooseView):
    pass


class ScopedChooseResultsView(_ScopedObjectList, ChooseResultsView):
    pass


class ScopedChosenView(_ScopedChosen, SnippetChosenView):
    pass


class ScopedChosenMultipleView(SnippetChosenMultipleView):
    def get_objects(self, pks):
        return visible(super().get_objects(pks), scope_for_user(self.request.user))


class OrganisationScopedChooserViewSet(SnippetChooserViewSet):
    choose_view_class = ScopedChooseView
    choose_results_view_class = ScopedChooseResultsView
    chosen_view_class = ScopedChosenView
    chosen_multiple_view_class = ScopedChosenMultipleView


OrganisationScopedViewSet.chooser_viewset_class = OrganisationScopedChooserViewSet
