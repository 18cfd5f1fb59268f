"""Template ids are obtained from WeChat when a definition is published, once per
account, reused while the account holds them, never typed by hand."""

import pytest

from content.models import TemplateMessageMapping
from notices.binding import bind_definition
from tests.support.content import publish

from .conftest import BILL_FIELDS, make_definition

pytestmark = pytest.mark.integration


def ids(definition):
    return dict(
        TemplateMessageMapping.objects.filter(definition=definition).values_list("account__code", "wechat_template_id")
    )


def test_publishing_a_definition_obtains_its_template_id_on_each_account(bill, accounts, wechat_emulator):
    # then: each account got its own id from template/api_add_template, stored on its row
    bound = ids(bill)
    assert set(bound) == {"wx-sx", "wx-sx-01"}
    for code, template_id in bound.items():
        held = wechat_emulator.state.templates[accounts[code].app_id]
        assert list(held) == [template_id]
        assert held[template_id]["template_id_short"] == "OPENTM200654400"
    assert wechat_emulator.state.templates[accounts["wx-sx-02"].app_id] == {}


def test_publishing_again_reuses_the_ids_the_accounts_hold(bill, accounts, wechat_emulator):
    # given
    first = ids(bill)
    # when
    bill.title = "账单提醒(新)"
    publish(bill)
    # then: no second template on any account
    assert ids(bill) == first
    for code in first:
        assert wechat_emulator.state.calls[accounts[code].app_id]["template/api_add_template"] == 1


def test_a_template_deleted_on_wechat_is_obtained_again(bill, accounts, wechat_emulator):
    # given: someone deleted the template in WeChat's back office
    account = accounts["wx-sx-01"]
    old = ids(bill)["wx-sx-01"]
    del wechat_emulator.state.templates[account.app_id][old]
    # when
    bind_definition(bill.pk)
    # then
    new = ids(bill)["wx-sx-01"]
    assert new != old and new in wechat_emulator.state.templates[account.app_id]


def test_category_template_is_added_with_its_fields_labels_as_keywords(matrix, accounts, wechat_emulator):
    # when
    definition = make_definition(matrix["branch1"], [accounts["wx-sx-01"]], code="arrears", short="47123")
    # then
    (template,) = wechat_emulator.state.templates[accounts["wx-sx-01"].app_id].values()
    assert template["keyword_name_list"] == [f["label"] for f in BILL_FIELDS]
    assert ids(definition)["wx-sx-01"] == template["template_id"]


def test_changed_keywords_obtain_a_new_template(matrix, accounts, wechat_emulator):
    # given
    definition = make_definition(matrix["branch1"], [accounts["wx-sx-01"]], code="arrears", short="47123")
    old = ids(definition)["wx-sx-01"]
    # when: a keyword is renamed
    definition.fields = [dict(BILL_FIELDS[0], label="账期"), *BILL_FIELDS[1:]]
    publish(definition)
    # then
    new = ids(definition)["wx-sx-01"]
    assert new != old
    assert wechat_emulator.state.templates[accounts["wx-sx-01"].app_id][new]["keyword_name_list"][0] == "账期"


def test_a_hand_typed_id_the_account_still_holds_is_adopted(matrix, accounts, wechat_emulator, make_client):
    # given: a mapping from before ids were obtained, its id typed from WeChat's back office
    account = accounts["wx-sx-01"]
    typed = make_client(account.app_id, secret="emulator-app-secret").add_template("OPENTM200654400")
    definition = make_definition(matrix["branch1"], [account], live=False)
    TemplateMessageMapping.objects.filter(definition=definition).update(wechat_template_id=typed)
    # when
    publish(definition)
    # then: kept, and nothing added
    assert ids(definition)["wx-sx-01"] == typed
    assert wechat_emulator.state.calls[account.app_id]["template/api_add_template"] == 1


def test_a_hand_typed_id_the_account_no_longer_holds_is_replaced(matrix, accounts, wechat_emulator):
    # given
    definition = make_definition(matrix["branch1"], [accounts["wx-sx-01"]], live=False)
    TemplateMessageMapping.objects.filter(definition=definition).update(wechat_template_id="TPL-typed-by-hand")
    # when
    publish(definition)
    # then
    obtained = ids(definition)["wx-sx-01"]
    assert obtained != "TPL-typed-by-hand"
    assert obtained in wechat_emulator.state.templates[accounts["wx-sx-01"].app_id]


@pytest.mark.parametrize("short,needle", [("", "没有填写模板库编号"), ("47123", "40246")])
def test_a_definition_that_cannot_be_bound_says_why_on_the_account(matrix, accounts, wechat_emulator, short, needle):
    # given: no library number, or a category template whose keywords WeChat refuses
    if short:
        wechat_emulator.state.script(endpoint="template/api_add_template", errcode=40246)
    definition = make_definition(matrix["branch1"], [accounts["wx-sx-01"]], short=short)
    # then
    mapping = TemplateMessageMapping.objects.get(definition=definition)
    assert mapping.wechat_template_id == ""
    assert needle in mapping.bind_error


def test_bind_templates_binds_definitions_that_went_live_without_the_admin(matrix, accounts, wechat_emulator):
    # given: a live definition written by an import (no publication, so no binding yet)
    from django.core.management import call_command

    definition = make_definition(matrix["branch1"], [accounts["wx-sx-01"]], live=False)
    type(definition).objects.filter(pk=definition.pk).update(live=True)
    assert ids(definition) == {"wx-sx-01": ""}
    # when
    call_command("bind_templates")
    # then
    assert ids(definition)["wx-sx-01"] in wechat_emulator.state.templates[accounts["wx-sx-01"].app_id]
