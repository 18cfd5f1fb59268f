"""The SMS simulator walks the published menu to templated replies."""

from django.utils import timezone
import pytest
from django.core.exceptions import ValidationError

from content.models import ChannelAccount
from menus import editing
from importing.menu_records import import_menu
from menus.models import Menu, MenuNode
from menus.services import publish
from menus.simulator import simulate
from tests.support.menus import legacy_menu, make_menu

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall(legacy):
    import_menu(legacy_menu(legacy, "sms-main"))
    return ChannelAccount.objects.get(code="sms-10086")


def test_walking_the_sample_export_menu_reaches_a_templated_reply(hall):
    # when: 1 话费服务 → 1 话费服务-1 → 1 业务1 (command C111, template SMS000020)
    result = simulate(hall, "gotone", ["1", "1", "1"])
    # then
    assert [s.kind for s in result.steps] == ["menu", "menu", "reply"]
    assert result.steps[0].reply_text.startswith("【中国移动】话费服务:\n1.话费服务-1\n2.话费服务-2")
    assert result.reply_text == "【中国移动】您已成功退订示例内容,次月生效。"
    assert result.path == [{"key": "1", "name": "话费服务"}, {"key": "1.1", "name": "话费服务-1"},
                           {"key": "1.1.1", "name": "业务1"}]
    assert result.steps[-1].template == "SMS000020"
    assert result.steps[-1].parameters == {"business": "示例内容"}
    assert result.steps[-1].segments == 1


def test_a_command_answers_from_anywhere_in_any_case(hall):
    result = simulate(hall, "gotone", ["2", "c221"])
    assert result.steps[1].kind == "reply"
    assert result.path[-1] == {"key": "2.2.1", "name": "业务1"}
    assert "{" not in result.reply_text


def test_zero_goes_back_to_the_main_menu_and_unknown_input_repeats_the_menu(hall):
    result = simulate(hall, None, ["3", "0", "zz"])
    assert [s.kind for s in result.steps] == ["menu", "back", "unknown"]
    assert result.steps[1].reply_text.startswith("【中国移动】10086短信营业厅:\n1.话费服务\n2.流量服务")
    assert result.steps[2].reply_text.startswith("【中国移动】您发送的指令有误。10086短信营业厅:")
    assert result.path == []


def test_brand_restricted_nodes_serve_only_their_brand(hall):
    # 2.2.1 (C221) is for gotone only
    assert simulate(hall, "gotone", ["C221"]).steps[0].kind == "reply"
    assert simulate(hall, "mzone", ["C221"]).steps[0].kind == "unknown"
    assert simulate(hall, "mzone", ["2", "2", "1"]).steps[-1].kind == "unknown"


def test_hidden_node_is_not_listed_but_its_command_answers(hall):
    # 2.1.x34 (C21x34) is hidden
    listing = simulate(hall, None, ["2", "1"]).reply_text
    assert "C21x34" not in listing
    assert simulate(hall, None, ["C21x34"]).steps[0].kind == "reply"


def test_invalid_node_neither_lists_nor_answers(hall):
    # 6.1.3 (C613) is marked not valid
    assert simulate(hall, None, ["C613"]).steps[0].kind == "unknown"
    assert "3.业务3" not in simulate(hall, None, ["6", "1"]).reply_text


def test_simulator_uses_the_published_version_before_and_after_publishing(sms_account, templates, sms_nodes):
    # given: not yet published
    menu = make_menu(sms_account, sms_nodes)
    assert simulate(sms_account, None, ["1"]).steps[0].kind == "unavailable"
    publish(menu)
    # when: the draft binds 余额 to another template
    leaf = MenuNode.objects.get(menu=menu, name="余额")
    editing.update_node(menu, leaf.pk, {"reply_template": "TPL-PLAIN"})
    # then: the published reply until publishing
    assert simulate(sms_account, None, ["1", "1"]).reply_text == "【中国移动】您的话费余额为58.00元,截至" + timezone.localdate().isoformat() + "。"
    publish(Menu.objects.get(pk=menu.pk))
    assert simulate(sms_account, None, ["1", "1"]).reply_text == "【中国移动】感谢您使用短信营业厅。"


def test_simulating_reads_the_tree_once_and_each_template_once(sms_account, templates, sms_nodes,
                                                              django_assert_num_queries):
    publish(make_menu(sms_account, sms_nodes))
    with django_assert_num_queries(3):
        simulate(sms_account, None, ["1", "1", "CXYE", "1", "2"])


def test_only_sms_accounts_are_simulated(matrix):
    with pytest.raises(ValidationError) as refused:
        simulate(matrix["account_province"], None, ["1"])
    assert "account" in refused.value.message_dict


def test_reply_uses_typed_sample_values_cut_to_max_length(matrix):
    from content.models import SmsTemplate
    from menus.simulator import render_reply

    template = SmsTemplate(code="T1", text="费用{fee}元,验证码{code}", category="reply",
                           parameters=[{"name": "fee", "type": "amount", "max_length": 10},
                                       {"name": "code", "type": "code", "max_length": 4}])
    text, values = render_reply(template)
    assert values == {"fee": "58.00", "code": "1234"}
    assert text == "费用58.00元,验证码1234"
