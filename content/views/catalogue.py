"""Admin of tariff packages and value-added businesses, and the package comparison page."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permissions import policy_registry
from wagtail.snippets.views.snippets import IndexView

from content.models import Business, Package
from content.permissions import scope_for_user, visible
from content.services.catalogue import MAX_COMPARED, MIN_COMPARED, compare_packages
from content.views.columns import OrganisationColumn
from content.views.filters import OrganisationFilterSet
from content.views.forms import SoldItemForm
from content.views.scoped import ContentViewSet, OrganisationPanel


class PackageFilterSet(OrganisationFilterSet):
    class Meta:
        model = Package
        fields = ["family", "organisation", "brands", "live"]


class BusinessFilterSet(OrganisationFilterSet):
    class Meta:
        model = Business
        fields = ["kind", "organisation", "brands", "live"]


def _fee(item):
    return f"{item.monthly_fee:.2f}"


class PackageIndexView(IndexView):
    @cached_property
    def header_buttons(self):
        return [
            *super().header_buttons,
            HeaderButton(_("套餐对比"), url=reverse(self.model.snippet_viewset.get_url_name("compare")), icon_name="list-ul"),
        ]


class CompareForm(forms.Form):
    """Up to five package slots, each a searchable snippet chooser (the scoped chooser:
    it offers only packages the user may read). How many may be compared is the
    service's rule (``compare_packages``)."""

    def __init__(self, data=None, *, user=None):
        from wagtail.snippets.widgets import AdminSnippetChooser

        super().__init__(_slots(data) if data is not None else None)
        packages = visible(Package.objects.order_by("code"), scope_for_user(user))
        for n in range(1, MAX_COMPARED + 1):
            self.fields[f"package_{n}"] = forms.ModelChoiceField(
                label=_("套餐 %(n)s") % {"n": n}, queryset=packages, required=False,
                widget=AdminSnippetChooser(Package),
            )

    def chosen(self):
        picked = [self.cleaned_data.get(f"package_{n}") for n in range(1, MAX_COMPARED + 1)]
        return [p for p in picked if p is not None]


def _slots(data):
    # A link may carry the packages as one list (?packages=1&packages=2): fill the slots in order.
    if "packages" not in data:
        return data
    slots = data.copy()
    for n, pk in enumerate(data.getlist("packages")[:MAX_COMPARED], start=1):
        slots[f"package_{n}"] = pk
    return slots


def compare_view(request):
    """A table of the chosen packages' comparable fields, differing rows marked."""
    if not policy_registry.get_by_type(Package).user_has_any_permission(request.user, ["view", "change"]):
        raise PermissionDenied
    form = CompareForm(request.GET or None, user=request.user)
    table, error = None, None
    if form.is_bound and form.is_valid():
        chosen = sorted(form.chosen(), key=lambda p: p.code)
        try:
            table = compare_packages(chosen)
        except ValidationError as e:
            error = "; ".join(e.messages)
    return TemplateResponse(
        request,
        "content/catalogue/compare.html",
        {
            "form": form,
            "table": table,
            "error": error,
            "min": MIN_COMPARED,
            "max": MAX_COMPARED,
            "header_icon": "list-ul",
            "page_title": _("套餐对比"),
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": reverse(Package.snippet_viewset.get_url_name("list")), "label": _("资费套餐")},
                {"url": "", "label": _("套餐对比")},
            ],
        },
    )


SOLD_PANELS = [
    MultiFieldPanel([FieldPanel("brands", widget=forms.CheckboxSelectMultiple),
                     FieldPanel("sale_orgs", widget=forms.CheckboxSelectMultiple),
                     FieldPanel("channels")], heading=_("品牌、销售范围与渠道")),
    FieldRowPanel([FieldPanel("order_command"), FieldPanel("cancel_command")], heading=_("指令")),
    FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_to")], heading=_("有效期")),
    FieldPanel("highlights"),
    FieldPanel("description"),
]


class PackageViewSet(ContentViewSet):
    model = Package
    icon = "pick"
    menu_label = _("资费套餐")
    base_form_class = SoldItemForm
    filterset_class = PackageFilterSet
    index_view_class = PackageIndexView
    search_fields = ["name", "code", "family"]
    list_display = [
        "name",
        "code",
        "family",
        Column("monthly_fee", label=_("月费(元)"), accessor=_fee, sort_key="monthly_fee"),
        OrganisationColumn("organisation", label=_("所属组织")),
    ]
    select_related = ("organisation",)
    panels = [
        MultiFieldPanel([FieldPanel("code"), FieldPanel("name"), FieldPanel("family"), OrganisationPanel()],
                        heading=_("基本信息")),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("monthly_fee"), FieldPanel("contract_months")]),
                FieldRowPanel([FieldPanel("data_mb"), FieldPanel("voice_minutes"), FieldPanel("sms_count")]),
            ],
            heading=_("资费"),
        ),
        *SOLD_PANELS,
    ]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("compare/", compare_view, name="compare")]


class BusinessViewSet(ContentViewSet):
    model = Business
    icon = "plus-inverse"
    menu_label = _("增值业务")
    base_form_class = SoldItemForm
    filterset_class = BusinessFilterSet
    search_fields = ["name", "code", "kind"]
    list_display = [
        "name",
        "code",
        "kind",
        Column("monthly_fee", label=_("月费(元)"), accessor=_fee, sort_key="monthly_fee"),
        OrganisationColumn("organisation", label=_("所属组织")),
    ]
    select_related = ("organisation",)
    panels = [
        MultiFieldPanel([FieldPanel("code"), FieldPanel("name"), FieldPanel("kind"), OrganisationPanel()],
                        heading=_("基本信息")),
        FieldPanel("monthly_fee"),
        *SOLD_PANELS,
    ]
