"""The menu tree editor and the SMS simulator, driven in Chromium the way an editor uses them."""


import pytest
from django.utils import timezone
from playwright.sync_api import expect

from content import roles
from menus.models import Menu, MenuNode
from menus.services import live_version, publish
from tests.support.browser import admin_login
from tests.support.menus import make_menu
from tests.support.users import make_editor


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

@pytest.fixture
def page(admin_page):
    """The admin page, confirming dialogs; the test fails on any script error."""
    admin_page.on("dialog", lambda dialog: dialog.accept())
    errors = []
    admin_page.on("pageerror", lambda error: errors.append(str(error)))
    yield admin_page
    assert errors == [], f"script errors on the page: {errors}"


@pytest.fixture
def publisher(matrix):
    return make_editor("publisher-sx", matrix["province"], roles.PUBLISHERS)


def tree_item(page, key):
    return page.locator(f'#menu-tree li[data-key="{key}"]').first


def select_node(page, key):
    tree_item(page, key).locator(":scope > .menus-node .menus-node__name").click()
    page.wait_for_selector(f'#node-form-title:has-text("{key} ")')


def save_form(page):
    with page.expect_response("**/tree/ops/"):
        page.click("#node-form [data-action=save]")


def test_editor_adds_moves_edits_and_hides_nodes_and_sees_violations(page, live_server, publisher, sms_account,
                                                                     templates, sms_nodes):
    # given: the SMS menu, opened from the menu list
    menu = make_menu(sms_account, sms_nodes, name="10086主菜单")
    admin_login(page, publisher.username)
    page.goto(f"{live_server.url}/admin/snippets/menus/menu/")
    page.click("text=菜单树")
    page.wait_for_url(f"**/admin/menus/{menu.pk}/tree/")
    assert page.locator("#violations-summary").inner_text().startswith("符合渠道规则")

    # when: adding a node under 2 帮助
    select_node(page, "2")
    with page.expect_response("**/tree/ops/"):
        page.click("[data-action=add-child]")
    # then: the new leaf shows its violations next to it
    new_node = tree_item(page, "2.2")
    assert "新节点" in new_node.inner_text()
    violations = page.locator('[data-violations-for="2.2"]').inner_text()
    assert "短信指令:" in violations and "回复模板:" in violations  # fields by their labels

    # when: editing it into a valid command leaf
    page.fill("#node-form [name=name]", "人工服务")
    page.fill("#node-form [name=command]", "RG")
    page.fill("#node-form [name=reply_template]", "TPL-PLAIN")
    save_form(page)
    # then
    assert "人工服务" in tree_item(page, "2.2").inner_text()
    assert page.locator('[data-violations-for="2.2"]').count() == 0

    # when: moving it up above 2.1 (reorder), then re-parenting 2.1 under 1
    with page.expect_response("**/tree/ops/"):
        page.click("[data-action=up]")
    names = page.locator('#menu-tree li[data-key="2"] > ul > li .menus-node__name').all_inner_texts()
    assert names == ["人工服务", "使用说明"]
    select_node(page, "2.1")
    page.select_option("#node-form [name=move_parent]", label="1 话费查询")
    with page.expect_response("**/tree/ops/"):
        page.click("[data-action=move]")
    assert "使用说明" in tree_item(page, "1.3").inner_text()  # its key 1 was taken under 1: the next free one

    # when: hiding 1 (话费查询)
    select_node(page, "1")
    with page.expect_response("**/tree/ops/"):
        page.click("[data-action=toggle-hidden]")
    # the tree re-renders after the response: wait for it rather than read it at once
    expect(tree_item(page, "1").locator(":scope > .menus-node")).to_contain_text("隐藏")

    # when: giving 人工服务 a command another node already has
    select_node(page, "2.2")
    page.fill("#node-form [name=command]", "CXYE")
    save_form(page)
    # then: the violation is next to the node and in the summary
    assert "指令 CXYE 与节点 1.1 重复" in page.locator('[data-violations-for="2.2"]').inner_text()
    assert "1 处不符合渠道规则" in page.locator("#violations-summary").inner_text()
    # named by the field's label, not its code name
    assert "短信指令:指令 CXYE 与节点 1.1 重复" in page.locator("#violations-summary").inner_text()
    assert "command:" not in page.locator("#violations-summary").inner_text()

    # and publishing is refused while the violation stands, with the count the summary gave
    page.click("[data-publish]")
    page.wait_for_selector("text=菜单未发布")
    assert "有 1 处不符合渠道规则" in page.locator(".messages").inner_text()
    assert live_version(menu) is None

    # and the draft holds every edit
    rows = {n.name: n for n in MenuNode.objects.filter(menu=menu)}
    assert rows["使用说明"].parent_id == rows["话费查询"].pk
    assert rows["人工服务"].order == 0 and rows["人工服务"].parent_id == rows["帮助"].pk
    assert rows["话费查询"].hidden


def test_editor_opens_a_2000_node_menu_and_expands_it(page, live_server, publisher, sms_account, templates):
    # given: ten submenus of 199 command leaves each
    menu = Menu.objects.create(code="big", name="大菜单", account=sms_account)
    tops = MenuNode.objects.bulk_create([MenuNode(menu=menu, key=str(i), name=f"菜单{i}", order=i) for i in range(1, 11)])
    MenuNode.objects.bulk_create([
        MenuNode(menu=menu, parent=top, key=f"x{j}", name=f"业务{top.key}-{j}", order=j, type="command",
                 command=f"C{top.key}X{j}", reply_template=templates["plain"])
        for top in tops for j in range(1, 200)
    ])
    admin_login(page, publisher.username)
    # when
    page.goto(f"{live_server.url}/admin/menus/{menu.pk}/tree/")
    # then: the top level renders, then the whole tree on request
    assert page.locator("#node-count").inner_text() == "2000 个节点"
    assert page.locator("#menu-tree li[data-id]").count() == 10
    page.click("[data-action=expand-all]")
    assert page.locator("#menu-tree li[data-id]").count() == 2000
    page.fill("#tree-filter", "业务7-19")
    assert page.locator("#menu-tree li[data-id]").count() == 12  # 7.x19 and 7.x190-199, under 7


def test_simulator_page_walks_the_published_menu(page, live_server, publisher, sms_account, templates, sms_nodes):
    # given
    publish(make_menu(sms_account, sms_nodes))
    admin_login(page, publisher.username)
    page.goto(f"{live_server.url}/admin/")
    page.click("text=短信菜单模拟器")
    page.wait_for_url("**/admin/menus/simulator/**")
    with page.expect_navigation():
        page.select_option("#simulator-setup [name=brand]", "gotone")
    # when: the customer sends 1, then 2
    for message in ("1", "2"):
        page.fill("#simulator-send input[type=text]", message)
        page.click("#simulator-send button")
        page.wait_for_load_state()
    # then
    replies = page.locator("[data-step-reply]").all_inner_texts()
    assert replies[0].startswith("【中国移动】话费查询:")
    assert replies[1] == "【中国移动】您当前套餐为示例内容,本月剩余流量1024MB。"
    assert "1.2 套餐" in page.locator("[data-step-path]").nth(1).inner_text()
    # when: a command, from anywhere
    page.fill("#simulator-send input[type=text]", "cxye")
    page.click("#simulator-send button")
    page.wait_for_load_state()
    assert page.locator("[data-step-reply]").nth(2).inner_text() == "【中国移动】您的话费余额为58.00元,截至" + timezone.localdate().isoformat() + "。"


def test_branch_editor_simulates_a_customer_of_their_branch_and_the_brand_applies_at_once(
        page, live_server, branch_editor, matrix, sms_account, templates, sms_nodes):
    # given: the province's business hall serves the branch; option 3 is for 全球通 customers only
    from tests.support.menus import node

    nodes = [*sms_nodes, node("3", "全球通专享", "command", command="QQT", reply_template="TPL-PLAIN",
                                brands=["gotone"])]
    publish(make_menu(sms_account, nodes))
    admin_login(page, branch_editor.username)
    page.goto(f"{live_server.url}/admin/")
    page.click("text=短信菜单模拟器")
    page.wait_for_url("**/admin/menus/simulator/**")
    # then: the province's account is picked and the caller is a customer of the editor's branch
    assert page.locator("#simulator-setup [name=account] option:checked").inner_text().startswith("10086短信营业厅")
    assert page.locator("#simulator-setup [name=region] option:checked").inner_text() == "西安分公司"
    assert "模拟西安分公司的客户" in page.locator("[data-simulator-caller]").inner_text()
    # when: a customer of unknown brand sends 3, there is no such option
    page.fill("#simulator-send input[type=text]", "3")
    page.click("#simulator-send button")
    page.wait_for_load_state()
    assert page.locator("[data-step-reply]").nth(0).inner_text().startswith("【中国移动】您发送的指令有误。")
    # when: the editor picks 全球通, the conversation is replayed for that brand at once
    with page.expect_navigation():
        page.select_option("#simulator-setup [name=brand]", "gotone")
    assert page.locator("[data-step-input]").all_inner_texts() == ["3"]
    assert page.locator("[data-step-reply]").nth(0).inner_text() == "【中国移动】感谢您使用短信营业厅。"


def test_node_form_fields_look_editable(page, live_server, publisher, sms_account, templates, sms_nodes):
    # given the tree editor with a node selected
    menu = make_menu(sms_account, sms_nodes)
    admin_login(page, publisher.username)
    page.goto(f"{live_server.url}/admin/menus/{menu.pk}/tree/")
    select_node(page, "1")
    # then its text fields are drawn as fields (a border), like every other admin form's
    for name in ("key", "name", "command", "reply_template"):
        border = page.eval_on_selector(f"#node-form [name={name}]", "e => getComputedStyle(e).borderTopWidth")
        assert border not in ("", "0px"), name
    # and the tree names node types in Chinese
    assert "子菜单" in tree_item(page, "1").locator(".menus-node__type").first.inner_text()
