"""A branch editor reads, in the admin, the rules an official account really answers
with: its own, those its branch shares, those the province shares, each saying where
it comes from, and the shared rules the account's branch overrides."""

import pytest

from content.models import AutoReply
from tests.support.browser import admin_login
from tests.support.content import publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rules(matrix):
    def make(**fields):
        fields.setdefault("reply_text", "您好")
        return publish(AutoReply.objects.create(live=False, **fields))

    return {
        "province": make(organisation=matrix["province"], keyword="省共享词"),
        "province_hours": make(
            organisation=matrix["province"], keyword="营业时间", reply_text="8:30-17:30"
        ),
        "branch_hours": make(
            organisation=matrix["branch1"],
            keyword="营业时间",
            reply_text="西安9:00-18:00",
        ),
        "own": make(account=matrix["account_branch1"], keyword="西安本号词"),
        "sibling": make(account=matrix["account_branch2"], keyword="宝鸡本号词"),
    }


def _row(page, rule):
    return page.locator(f"table[data-effective-rules] tr[data-rule='{rule.pk}']")


def test_branch_editor_reads_an_accounts_effective_rules_and_where_each_comes_from(
    admin_page, matrix, rules, branch_editor
):
    page = admin_page
    admin_login(page, branch_editor.username)
    # given the keyword replies list, whose header links to the effective rules
    page.goto(f"{page.base_url}/admin/snippets/content/autoreply/")
    page.click("text=公众号生效规则")
    # the list has an account filter of its own (select#id_account): read the new page's
    page.wait_for_url("**/autoreply/effective/**")
    # the account choice offers the branch's account, never the sibling's
    offered = page.locator("select#id_account option").all_inner_texts()
    assert any("wx-sx-01" in o for o in offered) and not any(
        "wx-sx-02" in o for o in offered
    )
    # when the editor picks 西安's account
    page.select_option("select#id_account", str(matrix["account_branch1"].pk))
    page.click("button:has-text('查看')")
    page.wait_for_selector("table[data-effective-rules]")
    # then each answering rule says where it comes from
    assert (
        _row(page, rules["own"]).locator("td[data-source]").inner_text() == "本公众号"
    )
    assert (
        _row(page, rules["branch_hours"]).locator("td[data-source]").inner_text()
        == "西安分公司(所属组织共享)"
    )
    assert (
        _row(page, rules["province"]).locator("td[data-source]").inner_text()
        == "陕西省公司(上级组织共享)"
    )
    assert _row(page, rules["sibling"]).count() == 0
    # the province's 营业时间 is listed as overridden by the branch's, not as answering
    assert _row(page, rules["province_hours"]).count() == 0
    overridden = page.locator("table[data-overridden-rules]")
    assert (
        "营业时间" in overridden.inner_text()
        and "陕西省公司(上级组织共享)" in overridden.inner_text()
    )
    # the branch's own rules link to their edit form; the province's is read-only here
    assert _row(page, rules["province"]).locator("a").count() == 0
    _row(page, rules["branch_hours"]).locator("a").click()
    page.wait_for_url(
        f"**/admin/snippets/content/autoreply/edit/{rules['branch_hours'].pk}/"
    )
    assert page.locator("input[name=keyword]").input_value() == "营业时间"
