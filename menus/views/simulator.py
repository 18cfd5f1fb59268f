"""The SMS simulator page: pick an account and a brand, send messages one by one,
see the replies of the published menu. Stateless: the inputs so far travel in the URL.

A branch editor simulates one of their branch's customers: the caller's region is
their branch and the account, unless they pick another, is the business hall that
serves it (the province's, when the branch has none of its own)."""

from django.http import Http404
from django.template.response import TemplateResponse

from content.models import Brand, Organisation
from content.permissions import scope_for_user
from content.services.sms import serving_account
from menus.models import Menu
from menus.services import live_version
from menus.simulator import simulate
from menus.views.access import sms_accounts_for


def caller_regions(user):
    """Organisations whose customers the user may simulate, and the default one (theirs)."""
    scope = scope_for_user(user)
    regions = Organisation.objects.order_by("code")
    if not scope.everything:
        regions = regions.filter(pk__in=scope.editable)
    profile = getattr(user, "editor_profile", None) if hasattr(user, "editor_profile") else None
    return regions, profile.organisation if profile else None


def simulator(request):
    accounts = sms_accounts_for(request.user)
    regions, region = caller_regions(request.user)
    region_code = request.GET.get("region")
    if region_code:
        region = regions.filter(code=region_code).first()
        if region is None:
            raise Http404
    account_id = request.GET.get("account")
    if account_id:
        account = accounts.filter(pk=account_id).first() if account_id.isdigit() else None
        if account is None:
            raise Http404
    else:
        serving = serving_account(region) if region else None
        account = accounts.filter(pk=serving.pk).first() if serving else accounts.first()
    brand_code = request.GET.get("brand") or ""
    brand = Brand.objects.filter(code=brand_code).first() if brand_code else None
    inputs = [i for i in request.GET.getlist("i") if i.strip()]
    result = simulate(account, brand, inputs) if account is not None else None
    base = Menu.objects.filter(account=account, brand__isnull=True).first() if account else None
    version = live_version(base) if base else None
    return TemplateResponse(request, "menus/simulator.html", {
        "accounts": accounts,
        "account": account,
        "regions": regions,
        "region": region,
        "brands": Brand.objects.all(),
        "brand_code": brand_code,
        "inputs": inputs,
        "result": result,
        "version": version,
        "page_title": "短信菜单模拟器",
        "header_icon": "mail",
    })
