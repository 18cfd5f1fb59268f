"""Admin of SMS interaction templates: list with length and segment counts, an
edit form that measures the text while the editor types (the service computes,
the page only shows), and the JSON endpoint behind it."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.permissions import policy_registry

from content.models import Brand, Organisation, SmsTemplate
from content.permissions import scope_for_user
from content.services import sms as sms_service
from content.services.sms_segments import count_segments
from content.views.columns import OrganisationColumn
from content.views.fields import ParameterDeclarationsField, WordListField
from content.views.filters import OrganisationFilterSet
from content.views.forms import SmsTemplateForm
from content.views.scoped import ContentViewSet, OrganisationPanel


class SmsTemplateFilterSet(OrganisationFilterSet):
    class Meta:
        model = SmsTemplate
        fields = ["category", "organisation", "live", "brands"]


class WorstCaseColumn(Column):
    """Worst-case segments against the serving account's limit; the rules of every
    organisation are resolved once per request (two queries)."""

    def get_cell_context_data(self, instance, parent_context):
        request = parent_context.get("request")
        rules = getattr(request, "_sms_rules", None)
        if rules is None:
            rules = sms_service.rules_for_organisations()
            if request is not None:
                request._sms_rules = rules
        instance._worst_case = self._worst_case(instance, rules.get(instance.organisation_id) or sms_service.default_rules())
        return super().get_cell_context_data(instance, parent_context)

    @staticmethod
    def _worst_case(instance, rules):
        params, _problems = sms_service.parse_declarations(instance.parameters)
        text = rules.signature + sms_service.fill(instance.text or "", params, sms_service.worst_case_value)
        worst = count_segments(text)
        flag = "" if worst.segments <= rules.max_segments else " ⚠"
        return f"{worst.segments}/{rules.max_segments}{flag}"

    def get_value(self, instance):
        return getattr(instance, "_worst_case", "")


class SmsMeasurePanel(HelpPanel):
    """Length, segment count and a live preview with sample values."""

    def __init__(self, **kwargs):
        kwargs.setdefault("template", "content/panels/sms_measure.html")
        kwargs.setdefault("heading", _("长度与预览"))
        super().__init__(**kwargs)

    class BoundPanel(HelpPanel.BoundPanel):
        class Media:
            js = ["content/js/sms_measure.js"]
            css = {"all": ["content/css/sms_measure.css"]}

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["measure_url"] = reverse(SmsTemplate.snippet_viewset.get_url_name("measure"))
            if self.instance.text:
                context["measure"] = sms_service.measure(self.instance)
            return context


def _template_from_post(request):
    data = request.POST
    template = SmsTemplate(
        code=data.get("code", "") or "",
        category=data.get("category") or SmsTemplate.Category.REPLY,
        text=data.get("text", "") or "",
    )
    try:
        template.parameters = ParameterDeclarationsField().clean(data.get("parameters", ""))
    except Exception:  # the form reports malformed lines; measure what can be parsed
        template.parameters = []
    template.commands = WordListField().clean(data.get("commands", ""))
    scope = scope_for_user(request.user)
    org_id = data.get("organisation")
    org = Organisation.objects.filter(pk=org_id).first() if org_id and org_id.isdigit() else None
    if org is None or not (scope.everything or org.pk in scope.editable):
        profile = getattr(request.user, "editor_profile", None)
        org = profile.organisation if profile else None
    template.organisation = org
    if data.get("pk", "").isdigit():
        template.pk = int(data["pk"])
    # The command clash check is per brand: the brands ticked in the form, not the stored ones.
    template.brands.set(Brand.objects.filter(pk__in=[b for b in data.getlist("brands") if b.isdigit()]))
    return template


@require_POST
def measure_view(request):
    """JSON: what the service measures for the text being edited (no database writes)."""
    policy = policy_registry.get_by_type(SmsTemplate)
    if not policy.user_has_any_permission(request.user, ["add", "change"]):
        raise PermissionDenied
    return JsonResponse(sms_service.measure(_template_from_post(request)))


class SmsTemplateViewSet(ContentViewSet):
    model = SmsTemplate
    icon = "mail"
    menu_label = _("短信模板")
    base_form_class = SmsTemplateForm
    filterset_class = SmsTemplateFilterSet
    search_fields = ["code", "text"]
    list_display = [
        "code",
        Column("category", label=_("类别"), accessor="get_category_display"),
        OrganisationColumn("organisation", label=_("所属组织")),
        Column("text", label=_("模板内容"), accessor=lambda t: (t.text or "")[:40] + ("…" if len(t.text or "") > 40 else "")),
        Column("length", label=_("字数"), accessor=lambda t: len(t.text or "")),
        WorstCaseColumn("segments", label=_("最长条数/上限")),
    ]
    panels = [
        MultiFieldPanel([FieldPanel("code"), FieldPanel("category"), OrganisationPanel(),
                         FieldPanel("brands", widget=forms.CheckboxSelectMultiple)],
                        heading=_("基本信息")),
        FieldPanel("text"),
        FieldPanel("parameters"),
        SmsMeasurePanel(),
        FieldPanel("commands"),
    ]
    select_related = ("organisation",)

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("measure/", measure_view, name="measure")]
