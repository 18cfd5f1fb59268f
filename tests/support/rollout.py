"""Menu rollout: a province WeChat menu naming per-account variables, and the
matrix's official accounts with short names and their hall URLs."""

from menus.models import AccountVariable
from menus.services import publish
from tests.support.menus import make_menu, node

HALL_URLS = {
    "wx-sx": "https://sx.example-operator.cn",
    "wx-sx-01": "https://xa.example-operator.cn",
    "wx-sx-02": "https://bj.example-operator.cn",
}
NAMES = {"wx-sx": "陕西移动", "wx-sx-01": "西安移动", "wx-sx-02": "宝鸡市移动"}


def province_nodes():
    return [
        node("1", "{account_name}", "view", url="{hall_url}/home"),
        node(
            "2",
            "服务",
            children=[node("2.1", "客服", "click", event_key="SVC_{account_code}")],
        ),
    ]


def name_accounts(accounts):
    """Short names (a top-level button holds 16 bytes) and a hall URL for each account."""
    for account in accounts:
        account.name = NAMES.get(account.code, account.name)
        account.save(update_fields=["name"])
        AccountVariable.objects.create(
            account=account,
            name="hall_url",
            value=HALL_URLS.get(
                account.code, f"https://{account.code}.example-operator.cn"
            ),
        )
    return accounts


def province_menu(account, code="menu-sx", nodes=None):
    """A published base menu on ``account`` (nothing pushed: no commit runs)."""
    menu = make_menu(account, nodes or province_nodes(), code=code, name="省公司菜单")
    publish(menu)
    return menu
