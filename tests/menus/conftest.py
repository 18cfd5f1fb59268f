"""Fixtures of the menus tests: channel accounts of each type, published reply
templates, node trees, and the sample legacy export (tests/support/menus.py builds them)."""

import pytest

from content.models import ChannelAccount
from harness.export import make_export, read
from harness.sample import load_references
from tests.support.factories import ChannelAccountFactory, SmsAccountFactory
from tests.support.menus import make_template, node


@pytest.fixture
def sms_account(matrix):
    return SmsAccountFactory(code="sms-10086", name="10086短信营业厅", organisation=matrix["province"])


@pytest.fixture
def miniprogram(matrix):
    return ChannelAccountFactory(code="mp-sx", name="掌上营业厅", type=ChannelAccount.Type.WECHAT_MINIPROGRAM,
                                 organisation=matrix["province"])


@pytest.fixture
def web_account(matrix):
    return ChannelAccountFactory(code="web-sx", name="网上营业厅", type=ChannelAccount.Type.WEB,
                                 organisation=matrix["province"], base_url="https://www.example-operator.cn/sx/",
                                 app_id="")


@pytest.fixture
def templates(matrix):
    org = matrix["province"]
    return {
        "balance": make_template("TPL-BALANCE", "您的话费余额为{balance}元,截至{date}。",
                                 [{"name": "balance", "type": "amount", "max_length": 10},
                                  {"name": "date", "type": "date", "max_length": 10}], organisation=org),
        "package": make_template("TPL-PACKAGE", "您当前套餐为{package},本月剩余流量{left}MB。",
                                 [{"name": "package", "type": "text", "max_length": 20},
                                  {"name": "left", "type": "data_volume", "max_length": 8}], organisation=org),
        "plain": make_template("TPL-PLAIN", "感谢您使用短信营业厅。", organisation=org),
        "draft": make_template("TPL-DRAFT", "尚未发布的模板。", organisation=org, live=False),
    }


@pytest.fixture
def sms_nodes():
    """A small valid SMS business-hall tree: 1 话费 (1.1 余额 CXYE, 1.2 套餐 CXTC), 2 帮助 (2.1 C21)."""
    return [
        node("1", "话费查询", children=[
            node("1.1", "余额", "command", command="CXYE", reply_template="TPL-BALANCE"),
            node("1.2", "套餐", "command", command="CXTC", reply_template="TPL-PACKAGE"),
        ]),
        node("2", "帮助", children=[node("2.1", "使用说明", "command", command="C21", reply_template="TPL-PLAIN")]),
    ]


@pytest.fixture
def wechat_nodes():
    return [
        node("1", "查询", children=[
            node("1.1", "话费", "view", url="https://www.example-operator.cn/fee"),
            node("1.2", "流量", "click", event_key="FLOW"),
        ]),
        node("2", "办理", children=[
            node("2.1", "掌厅", "miniprogram", url="https://www.example-operator.cn/mp",
                 miniprogram={"account": "mp-sx", "pagepath": "pages/index"}),
        ]),
        node("3", "客服", "click", event_key="SERVICE"),
    ]


@pytest.fixture(scope="session")
def legacy_small(tmp_path_factory):
    """The sample (small) legacy export, generated once per run."""
    return read(make_export(tmp_path_factory.mktemp("legacy") / "small", "small"))


@pytest.fixture
def legacy(db, legacy_small):
    """The sample export's organisations, brands, accounts and published templates in the database."""
    load_references(legacy_small)
    return legacy_small
