"""The SMS simulator walks the published menu to templated replies."""

from django.utils import timezone
import pytest
from django.core.exceptions import ValidationError

from content.models import ChannelAccount
from content.services.sms_segments import count_segments
from menus import editing
from importing.menu_records import import_menu
from menus.models import Menu, MenuNode
from menus.services import publish
from menus.simulator import simulate
from tests.support.menus import legacy_menu, make_menu

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms_menu(legacy):
    """The sample export's base (brandless) SMS menu record."""
    return legacy_menu(legacy, next(m["code"] for m in legacy["menus"] if m["channel"] == "sms" and not m.get("brand")))


@pytest.fixture
def hall(legacy, sms_menu):
    import_menu(legacy_menu(legacy, sms_menu["code"]))
    return ChannelAccount.objects.get(code=sms_menu["account"])


def paths(nodes, trail=()):
    """(node, [the main menu's entry, ..., node]) for every node of a legacy tree, parents first."""
    for node in nodes:
        path = [*trail, node]
        yield node, path
        yield from paths(node["children"], path)


def own(node):
    return node["key"].rsplit(".", 1)[-1]


def digits(path):
    return [own(n) for n in path]


def trail(path):
    return [{"key": n["key"], "name": n["name"]} for n in path]


def served(path, brand):
    """Every node of ``path`` is switched on and offered to ``brand`` (None: nodes for every brand)."""
    return all(n["valid"] and (not n["brands"] or brand in n["brands"]) for n in path)


def listed(path):
    return not any(n["hidden"] for n in path) and all(own(n).isdigit() for n in path)


def command_leaf(menu, test):
    """The first command leaf whose path passes ``test(leaf, path)``."""
    found = next(((leaf, path) for leaf, path in paths(menu["nodes"]) if leaf["type"] == "command" and test(leaf, path)),
                 None)
    assert found is not None, "the sample SMS menu has no such command leaf"
    return found


def numbered_lines(nodes, brand):
    return "\n".join(f"{own(n)}.{n['name']}" for n in nodes if listed([n]) and served([n], brand))


def test_walking_the_sample_export_menu_reaches_a_templated_reply(hall, sms_menu, legacy):
    # given: a listed leaf on the third level, offered to gotone
    leaf, path = command_leaf(sms_menu, lambda leaf, path: len(path) == 3 and listed(path) and served(path, "gotone"))
    template = next(t for t in legacy["sms_templates"] if t["code"] == leaf["reply_template"])
    # when
    result = simulate(hall, "gotone", digits(path))
    # then
    signature = hall.signature
    assert signature and [s.kind for s in result.steps] == ["menu", "menu", "reply"]
    assert result.steps[0].reply_text.startswith(
        f"{signature}{path[0]['name']}:\n{numbered_lines(path[0]['children'], 'gotone')}\n")
    assert result.path == trail(path)
    step = result.steps[-1]
    assert step.template == template["code"]
    assert set(step.parameters) == {p["name"] for p in template["parameters"]}
    for parameter in template["parameters"]:
        assert 0 < len(step.parameters[parameter["name"]]) <= parameter["max_length"], parameter
    text = template["text"]
    for name, value in step.parameters.items():
        text = text.replace("{" + name + "}", value)
    assert result.reply_text == signature + text and "{" not in result.reply_text
    assert step.segments == count_segments(result.reply_text).segments >= 1


def test_a_command_answers_from_anywhere_in_any_case(hall, sms_menu):
    # given: the customer is in one main-menu entry; the command is a leaf's of another
    first = next(n for n in sms_menu["nodes"] if listed([n]) and served([n], "gotone"))
    leaf, path = command_leaf(sms_menu, lambda leaf, path: path[0] is not first and len(path) > 2 and listed(path)
                              and served(path, "gotone"))
    # when
    result = simulate(hall, "gotone", [own(first), leaf["command"].lower()])
    # then
    assert [s.kind for s in result.steps] == ["menu", "reply"]
    assert result.path[-1] == {"key": leaf["key"], "name": leaf["name"]}
    assert result.steps[-1].template == leaf["reply_template"]
    assert "{" not in result.reply_text


def test_zero_goes_back_to_the_main_menu_and_unknown_input_repeats_the_menu(hall, sms_menu):
    # given
    last = [n for n in sms_menu["nodes"] if listed([n]) and served([n], None)][-1]
    commands = {n["command"].upper() for n, _path in paths(sms_menu["nodes"]) if n.get("command")}
    assert "ZZ" not in commands
    # when
    result = simulate(hall, None, [own(last), "0", "zz"])
    # then
    assert [s.kind for s in result.steps] == ["menu", "back", "unknown"]
    main = f"{hall.name}:\n{numbered_lines(sms_menu['nodes'], None)}\n"
    assert result.steps[1].reply_text.startswith(f"{hall.signature}{main}")
    assert result.steps[2].reply_text.startswith(f"{hall.signature}您发送的指令有误。{main}")
    assert result.path == []


def test_brand_restricted_nodes_serve_only_their_brand(hall, sms_menu, legacy):
    # given: a listed leaf below (or at) a node offered to one brand only
    leaf, path = command_leaf(sms_menu, lambda leaf, path: listed(path) and any(n["brands"] for n in path)
                              and all(n["valid"] for n in path))
    restricted = next(i for i, n in enumerate(path) if n["brands"])
    brand = path[restricted]["brands"][0]
    assert served(path, brand)
    other = next(b["code"] for b in legacy["brands"] if not served(path, b["code"]))
    # when / then
    assert simulate(hall, brand, [leaf["command"]]).steps[0].kind == "reply"
    assert [s.kind for s in simulate(hall, brand, digits(path)).steps] == ["menu"] * (len(path) - 1) + ["reply"]
    assert simulate(hall, other, [leaf["command"]]).steps[0].kind == "unknown"
    walked = simulate(hall, other, digits(path)[: restricted + 1])
    assert [s.kind for s in walked.steps] == ["menu"] * restricted + ["unknown"]


def test_hidden_node_is_not_listed_but_its_command_answers(hall, sms_menu):
    # given: a command leaf that is (or is under) a hidden entry
    leaf, path = command_leaf(sms_menu, lambda leaf, path: served(path, None) and any(n["hidden"] for n in path))
    hidden = next(i for i, n in enumerate(path) if n["hidden"])
    # when
    walked = simulate(hall, None, digits(path)[:hidden])
    listing = walked.reply_text
    # then
    assert [s.kind for s in walked.steps] == ["menu"] * hidden
    assert f"{own(path[hidden])}.{path[hidden]['name']}" not in listing and leaf["command"] not in listing
    assert simulate(hall, None, digits(path)[: hidden + 1]).steps[-1].kind == "unknown"
    answer = simulate(hall, None, [leaf["command"]]).steps[0]
    assert answer.kind == "reply" and answer.template == leaf["reply_template"]


def test_invalid_node_neither_lists_nor_answers(hall, sms_menu):
    # given: a switched-off leaf in a listed, switched-on submenu
    leaf, path = command_leaf(sms_menu, lambda leaf, path: not leaf["valid"] and listed(path)
                              and served(path[:-1], None) and not leaf["brands"])
    # when
    walked = simulate(hall, None, digits(path)[:-1])
    # then
    assert [s.kind for s in walked.steps] == ["menu"] * (len(path) - 1)
    assert f"{own(leaf)}.{leaf['name']}" not in walked.reply_text
    assert simulate(hall, None, [leaf["command"]]).steps[0].kind == "unknown"


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
    # the tree, the brand's bindings of the tree's commands, and each template once
    with django_assert_num_queries(4):
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
