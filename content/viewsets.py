"""Admin viewsets under organisation isolation.

Wagtail's generic edit, history, revision and workflow views load objects by
primary key without an instance check, so the check lives here, once, around
every view the viewset builds: a record outside the user's organisations is a
404, a record they may only read (shared down) refuses writes with 403.

Choices follow the same rule, in one place: every model-choice field of a form
the viewset builds (and of its inline formsets) and of its listing's filters offers
only what the user may read (``content.permissions.readable_choices``)."""

import functools

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import (
    ImproperlyConfigured,
    PermissionDenied,
    ValidationError,
)
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import cached_property
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.forms.models import WagtailAdminModelFormMetaclass
from wagtail.admin.panels import ObjectList
from wagtail.admin.views.generic import DeleteView, EditView
from wagtail.snippets.views.snippets import EditView as SnippetEditView
from wagtail.snippets.views.snippets import SnippetViewSet, WorkflowActionView

from content.checks import blocking_checks
from content.models.organisations import Organisation
from content.paging import CappedCountPaginator
from content.permissions import can_edit, can_view, readable_choices, scope_for_user
from content.services import approval
from content.views.feedback import announce_if_live
from content.views.columns import yes_no_columns


def limit_choices(form, user):
    """Narrows every model-choice field of ``form`` (a model form or a filter form)
    and of its inline formsets to what ``user`` may read. Only ever narrows: a
    form's own, stricter choices (e.g. editable accounts) stay as they are."""
    if user is None:
        return
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
            field.queryset = readable_choices(field.queryset, user)
    for formset in getattr(form, "formsets", {}).values():
        if not isinstance(formset, _ScopedFormSet):
            # A formset builds ``empty_form`` (the template of a new row) afresh on
            # every access, from a child form class Wagtail chooses: the formset
            # itself narrows each form it builds from now on.
            formset.__class__ = _scoped_formset_class(type(formset))
        formset.choices_user = user
        for child in formset.forms:
            limit_choices(child, user)


class _ScopedFormSet:
    choices_user = None

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        limit_choices(form, self.choices_user)
        return form

    @property
    def empty_form(self):
        form = super().empty_form
        limit_choices(form, self.choices_user)
        return form


@functools.cache
def _scoped_formset_class(formset_class):
    return type(formset_class.__name__, (_ScopedFormSet, formset_class), {})


class ScopedModelFormMetaclass(WagtailAdminModelFormMetaclass):
    """Forms of this metaclass narrow their choices once fully built (after every
    subclass's ``__init__``), and so do their inline formsets' forms."""

    def __call__(cls, *args, **kwargs):
        form = super().__call__(*args, **kwargs)
        limit_choices(form, getattr(form, "for_user", None))
        return form


class ScopedModelForm(WagtailAdminModelForm, metaclass=ScopedModelFormMetaclass):
    pass


class OrganisationOwnedForm(ScopedModelForm):
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
            response = super().post(request, *args, **kwargs)
        except ValidationError as error:
            problems = error.messages
            messages.error(request, f"未能发布,审核仍在进行:{len(problems)} 处不符合规则")
            for problem in problems[: self.MAX_MESSAGES]:
                messages.error(request, problem)
            if self.action_name == "approve":
                messages.info(request, approval.HINT)
            if request.headers.get("x-requested-with") == "XMLHttpRequest":
                return self.render_modal_json(request, {"step": "success", "redirect": self.redirect_url})
            return redirect(self.redirect_url)
        if self.action_name == "approve":
            announce_if_live(request, self.object, approved=True)
        return response


class CheckedEditView(SnippetEditView):
    """The edit page's 批准 (approve) and 发布 (publish) buttons, refused the same way
    when the content breaks a rule its channels enforce (content.checks): the edits
    are saved as a draft, nothing is published, and each reason is shown."""

    def form_valid(self, form):
        self.refused = False
        response = super().form_valid(form)
        approved = self.action == "workflow-action" and getattr(self, "workflow_action", None) == "approve"
        if not self.refused and (self.action == "publish" or approved):
            announce_if_live(self.request, self.object, approved=approved)
        return response

    def publish_action(self):
        problems = [str(problem) for problem in blocking_checks(self.new_revision.as_object())]
        if problems:
            return self._refuse("未能发布,已保存为草稿", problems)
        return super().publish_action()

    def workflow_action_action(self):
        try:
            return super().workflow_action_action()
        except ValidationError as error:
            response = self._refuse("未能批准,审核仍在进行", error.messages)
            messages.info(self.request, approval.HINT)
            return response

    def _refuse(self, what, problems):
        self.refused = True
        messages.error(self.request, f"{what}:{len(problems)} 处不符合规则")
        for problem in problems[: CheckedWorkflowActionView.MAX_MESSAGES]:
            messages.error(self.request, problem)
        return redirect(self.get_edit_url())


class ScopedFiltersMixin:
    """Mixed into the viewset's listing views: the filters' choices (from
    ``list_filter`` or a ``filterset_class``) offer only what the user may read."""

    @cached_property
    def filters(self):
        filterset = super().filters
        if filterset is not None:
            limit_choices(filterset.form, self.request.user)
        return filterset


class OrganisationScopedViewSet(SnippetViewSet):
    """A SnippetViewSet whose list, object views and forms respect isolation."""

    base_form_class = OrganisationOwnedForm
    # A log that grows without bound (callback messages, template message sends) pages
    # with a capped count (content.paging): set True on its viewset.
    capped_count = False
    workflow_action_view_class = CheckedWorkflowActionView
    edit_view_class = CheckedEditView

    def get_edit_handler(self):
        # Panels declared on the viewset get the viewset's base form (Wagtail
        # otherwise takes it from the model only).
        if hasattr(self, "panels") and not hasattr(self, "edit_handler"):
            return ObjectList(self.panels, base_form_class=self.base_form_class).bind_to_model(self.model)
        return super().get_edit_handler()

    def get_index_view_kwargs(self, **kwargs):
        view_kwargs = super().get_index_view_kwargs(**kwargs)
        if isinstance(view_kwargs.get("list_display"), (list, tuple)):
            view_kwargs["list_display"] = yes_no_columns(self.model, view_kwargs["list_display"])
        if self.capped_count:
            view_kwargs["paginator_class"] = CappedCountPaginator
        return view_kwargs

    def get_form_class(self, for_update=False):
        form_class = super().get_form_class(for_update)
        if not issubclass(form_class, ScopedModelForm):
            raise ImproperlyConfigured(
                f"{type(self).__name__}: the form of a scoped viewset must derive from ScopedModelForm "
                f"(its choices are narrowed to what the user may read), not {form_class.__mro__[1].__name__}"
            )
        return form_class

    def get_queryset(self, request):
        from wagtail.permissions import policy_registry

        policy = policy_registry.get_by_type(self.model)
        return policy.instances_user_has_any_permission_for(request.user, ["view", "change"])

    def construct_view(self, view_class, **kwargs):
        if hasattr(view_class, "filters") and not issubclass(view_class, ScopedFiltersMixin):
            view_class = type(view_class.__name__, (ScopedFiltersMixin, view_class), {})
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
