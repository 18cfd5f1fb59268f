"""The SMS simulator page: pick an account and a brand, send messages one by one,
see the replies of the published menu. Stateless: the inputs so far travel in the URL."""

from django.http import Http404
from django.template.response import TemplateResponse

from content.models import Brand
from menus.services import live_version
from menus.models import Menu
from menus.simulator import simulate
from menus.views.access import sms_accounts_for


def simulator(request):
    accounts = sms_accounts_for(request.user)
    account_id = request.GET.get("account")
    account = accounts.filter(pk=account_id).first() if account_id and account_id.isdigit() else accounts.first()
    if account_id and account is None:
        raise Http404
    brand_code = request.GET.get("brand") or ""
    brand = Brand.objects.filter(code=brand_code).first() if brand_code else None
    inputs = [i for i in request.GET.getlist("i") if i.strip()]
    result = simulate(account, brand, inputs) if account is not None else None
    base = Menu.objects.filter(account=account, brand__isnull=True).first() if account else None
    version = live_version(base) if base else None
    return TemplateResponse(request, "menus/simulator.html", {
        "accounts": accounts,
        "account": account,
        "brands": Brand.objects.all(),
        "brand_code": brand_code,
        "inputs": inputs,
        "result": result,
        "version": version,
        "page_title": "短信菜单模拟器",
        "header_icon": "mail",
    })
