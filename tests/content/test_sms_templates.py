"""SMS template rules: one test per rule, the worst case against hand-computed
segment counts in both encodings, typed rendering and command bindings."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from content.models import SmsCommand, SmsTemplate
from content.services.sms import (
    bind_commands,
    render_template,
    rules_for,
    serving_account,
    validate_template,
    worst_case_text,
)
from content.services.sms_segments import count_segments
from tests.support.factories import SmsAccountFactory, SmsTemplateFactory
from tests.support.validation import errors_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms_account(matrix):
    return SmsAccountFactory(code="sms-10086", organisation=matrix["province"], max_segments=3)


def template(org, **kwargs):
    kwargs.setdefault("code", "SMSTEST")
    kwargs.setdefault("category", SmsTemplate.Category.REPLY)
    kwargs.setdefault("text", "余额{balance}元")
    kwargs.setdefault("parameters", [{"name": "balance", "type": "amount", "max_length": 10}])
    return SmsTemplate(organisation=org, **kwargs)


# --- validation rules ----------------------------------------------------------


def test_valid_template_passes(matrix, sms_account):
    validate_template(template(matrix["branch1"]))


def test_undeclared_parameter_is_refused_on_text_naming_it(matrix, sms_account):
    errors = errors_of(validate_template, template(matrix["branch1"], text="余额{balance}元,{undeclared}"))
    assert any("undeclared" in m for m in errors["text"])


def test_declared_but_unused_parameter_is_refused_on_parameters(matrix, sms_account):
    tpl = template(matrix["branch1"], parameters=[
        {"name": "balance", "type": "amount", "max_length": 10}, {"name": "spare", "type": "int", "max_length": 4}])
    assert any("spare" in m for m in errors_of(validate_template, tpl)["parameters"])


def test_unknown_parameter_type_is_refused(matrix, sms_account):
    tpl = template(matrix["branch1"], parameters=[{"name": "balance", "type": "money", "max_length": 10}])
    assert any("money" in m for m in errors_of(validate_template, tpl)["parameters"])


def test_parameter_without_positive_max_length_is_refused(matrix, sms_account):
    tpl = template(matrix["branch1"], parameters=[{"name": "balance", "type": "amount", "max_length": 0}])
    assert any("balance" in m and "最大长度" in m for m in errors_of(validate_template, tpl)["parameters"])


def test_duplicate_parameter_declaration_is_refused(matrix, sms_account):
    tpl = template(matrix["branch1"], parameters=[
        {"name": "balance", "type": "amount", "max_length": 10}, {"name": "balance", "type": "int", "max_length": 4}])
    assert any("重复" in m for m in errors_of(validate_template, tpl)["parameters"])


def test_unbalanced_braces_are_refused(matrix, sms_account):
    tpl = template(matrix["branch1"], text="余额{balance}元 {oops")
    assert any("花括号" in m for m in errors_of(validate_template, tpl)["text"])


def test_unknown_category_is_refused(matrix, sms_account):
    assert "category" in errors_of(validate_template, template(matrix["branch1"], category="spam"))


def test_marketing_template_without_opt_out_text_is_refused(matrix, sms_account):
    tpl = template(matrix["branch1"], category="marketing", text="新品上市{balance}元,快来办理!")
    assert any("拒收请回复R" in m for m in errors_of(validate_template, tpl)["text"])


def test_marketing_template_with_opt_out_text_passes(matrix, sms_account):
    validate_template(template(matrix["branch1"], category="marketing", text="新品{balance}元。拒收请回复R"))


def test_opt_out_text_is_configured_per_account(matrix, sms_account):
    # given a branch SMS account with its own opt-out wording
    SmsAccountFactory(code="sms-xa", organisation=matrix["branch1"], opt_out_text="回T退订")
    tpl = template(matrix["branch1"], category="marketing", text="新品{balance}元。拒收请回复R")
    # then the branch's wording is required, not the province default
    assert any("回T退订" in m for m in errors_of(validate_template, tpl)["text"])
    validate_template(template(matrix["branch1"], category="marketing", text="新品{balance}元。回T退订"))


def test_template_over_500_characters_is_refused(matrix, sms_account):
    tpl = template(matrix["branch1"], text="余" * 495 + "{balance}元")
    assert any("500" in m for m in errors_of(validate_template, tpl)["text"])


def test_empty_text_is_refused(matrix, sms_account):
    assert "text" in errors_of(validate_template, template(matrix["branch1"], text="   ", parameters=[]))


def test_invalid_command_is_refused(matrix, sms_account):
    tpl = template(matrix["branch1"], commands=["查 话费"])
    assert any("查 话费" in m for m in errors_of(validate_template, tpl)["commands"])


def test_command_bound_to_another_template_on_the_account_is_refused(matrix, sms_account):
    other = SmsTemplateFactory(code="SMSOTHER", organisation=matrix["province"])
    bind_commands(other, sms_account, ["CXYE"])
    errors = errors_of(validate_template, template(matrix["branch1"], commands=["cxye"]))
    assert any("CXYE" in m and "SMSOTHER" in m for m in errors["commands"])


# --- worst case against hand-computed segment counts ------------------------------


def test_ucs2_worst_case_at_70_units_fits_one_segment_71_does_not(matrix):
    # 【中国移动】 (6) + 您好 (2) + text parameter of 62 Chinese characters = 70 UCS-2 units: one SMS
    account = SmsAccountFactory(code="sms-one", organisation=matrix["province"], max_segments=1)
    fits = template(matrix["branch1"], text="您好{name}", parameters=[{"name": "name", "type": "text", "max_length": 62}])
    assert count_segments(worst_case_text(fits, account)).units == 70
    validate_template(fits, account)
    # one more character: 71 units, two segments of 67 + 4, over the limit of one
    over = template(matrix["branch1"], text="您好{name}", parameters=[{"name": "name", "type": "text", "max_length": 63}])
    assert count_segments(worst_case_text(over, account)).segments == 2
    errors = errors_of(validate_template, over, account)
    assert any("71" in m and "2条" in m for m in errors["text"])


def test_three_segment_limit_is_201_ucs2_units(matrix, sms_account):
    # 6 + 2 + 193 = 201 = 3 x 67: three segments; 202 needs four
    fits = template(matrix["branch1"], text="您好{name}", parameters=[{"name": "name", "type": "text", "max_length": 193}])
    assert count_segments(worst_case_text(fits)).segments == 3
    validate_template(fits)
    over = template(matrix["branch1"], text="您好{name}", parameters=[{"name": "name", "type": "text", "max_length": 194}])
    assert count_segments(worst_case_text(over)).segments == 4
    assert "text" in errors_of(validate_template, over)


def test_gsm7_worst_case_counts_septets_without_a_signature(matrix, settings):
    # no SMS account serves the branch: defaults apply, here an empty signature and one segment
    settings.CMS_SMS_DEFAULT_SIGNATURE = ""
    settings.CMS_SMS_DEFAULT_MAX_SEGMENTS = 1
    # "Your code is " (13) + 146 alphanumerics + "." (1) = 160 septets: one GSM-7 segment
    fits = template(matrix["branch2"], text="Your code is {c}.", parameters=[{"name": "c", "type": "code", "max_length": 146}])
    worst = count_segments(worst_case_text(fits))
    assert (worst.encoding, worst.units, worst.segments) == ("GSM-7", 160, 1)
    validate_template(fits)
    over = template(matrix["branch2"], text="Your code is {c}.", parameters=[{"name": "c", "type": "code", "max_length": 147}])
    assert count_segments(worst_case_text(over)).segments == 2
    assert "text" in errors_of(validate_template, over)


def test_signature_is_part_of_the_worst_case(matrix, sms_account):
    tpl = template(matrix["branch1"])
    assert worst_case_text(tpl, sms_account) == "【中国移动】余额9999999999元"


def test_account_is_found_up_the_tree_and_defaults_apply_without_one(matrix, settings):
    assert serving_account(matrix["outlet"]) is None
    assert rules_for(template(matrix["outlet"])).signature == settings.CMS_SMS_DEFAULT_SIGNATURE
    account = SmsAccountFactory(code="sms-p", organisation=matrix["province"], signature="【陕西移动】")
    assert serving_account(matrix["outlet"]) == account
    assert rules_for(template(matrix["outlet"])).signature == "【陕西移动】"


def test_model_clean_uses_the_same_validator(matrix, sms_account):
    tpl = template(matrix["branch1"], text="余额{balance}元{x}")
    with pytest.raises(ValidationError) as info:
        tpl.full_clean()
    assert "text" in info.value.message_dict


# --- rendering -------------------------------------------------------------------


def full_template(org):
    return template(
        org,
        text="{amount}|{date}|{dt}|{phone}|{n}|{mb}|{t}|{c}|{u}",
        parameters=[
            {"name": "amount", "type": "amount", "max_length": 10},
            {"name": "date", "type": "date", "max_length": 10},
            {"name": "dt", "type": "datetime", "max_length": 16},
            {"name": "phone", "type": "phone", "max_length": 11},
            {"name": "n", "type": "int", "max_length": 8},
            {"name": "mb", "type": "data_volume", "max_length": 8},
            {"name": "t", "type": "text", "max_length": 20},
            {"name": "c", "type": "code", "max_length": 6},
            {"name": "u", "type": "url", "max_length": 60},
        ],
    )


def test_render_formats_every_type(matrix, sms_account):
    text = render_template(full_template(matrix["branch1"]), {
        "amount": Decimal("12.5"), "date": datetime.date(2026, 3, 1), "dt": datetime.datetime(2026, 3, 1, 9, 5),
        "phone": "+86 138-0013-8000", "n": "42", "mb": 1536.50, "t": "畅享套餐", "c": "a1B2", "u": "https://10086.cn/x",
    })
    assert text == "12.50|2026-03-01|2026-03-01 09:05|13800138000|42|1536.5|畅享套餐|a1B2|https://10086.cn/x"


def test_render_with_signature(matrix, sms_account):
    assert render_template(template(matrix["branch1"]), {"balance": 3}, signed=True) == "【中国移动】余额3.00元"


@pytest.mark.parametrize(
    "name,value",
    [("amount", "十元"), ("date", "2026-13-01"), ("dt", "tomorrow"), ("phone", "12ab"), ("n", "4.5"),
     ("mb", "-1"), ("c", "12-34"), ("u", "javascript:alert(1)"), ("t", "x" * 21)],
)
def test_render_rejects_a_wrong_value_naming_the_parameter(matrix, sms_account, name, value):
    values = {"amount": 1, "date": "2026-01-01", "dt": "2026-01-01T08:00", "phone": "13800138000", "n": 1,
              "mb": 1, "t": "x", "c": "1234", "u": "https://10086.cn"}
    values[name] = value
    with pytest.raises(ValidationError) as info:
        render_template(full_template(matrix["branch1"]), values)
    assert set(info.value.message_dict) == {name}
    assert name in info.value.message_dict[name][0]


def test_render_rejects_missing_and_undeclared_values(matrix, sms_account):
    with pytest.raises(ValidationError) as info:
        render_template(template(matrix["branch1"]), {"other": 1})
    assert set(info.value.message_dict) == {"balance", "other"}


def test_value_longer_than_max_length_is_refused(matrix, sms_account):
    with pytest.raises(ValidationError) as info:
        render_template(template(matrix["branch1"]), {"balance": "123456789.00"})
    assert "balance" in info.value.message_dict and "10" in info.value.message_dict["balance"][0]


# --- command bindings --------------------------------------------------------------


def test_a_command_answers_with_at_most_one_template_per_account(matrix, sms_account):
    first = SmsTemplateFactory(code="SMSA", organisation=matrix["province"])
    second = SmsTemplateFactory(code="SMSB", organisation=matrix["province"])
    bind_commands(first, sms_account, ["cxtc", "C111"])
    with pytest.raises(ValidationError) as info:
        bind_commands(second, sms_account, ["CXTC"])
    assert "SMSA" in info.value.message_dict["commands"][0]
    assert set(SmsCommand.objects.values_list("command", "template__code")) == {("CXTC", "SMSA"), ("C111", "SMSA")}


def test_the_same_command_may_answer_on_another_account(matrix, sms_account):
    other_account = SmsAccountFactory(code="sms-xa", organisation=matrix["branch1"])
    first = SmsTemplateFactory(code="SMSA", organisation=matrix["province"])
    second = SmsTemplateFactory(code="SMSB", organisation=matrix["branch1"])
    bind_commands(first, sms_account, ["CXTC"])
    bind_commands(second, other_account, ["CXTC"])
    assert SmsCommand.objects.filter(command="CXTC").count() == 2


def test_rebinding_replaces_a_templates_commands(matrix, sms_account):
    tpl = SmsTemplateFactory(code="SMSA", organisation=matrix["province"])
    bind_commands(tpl, sms_account, ["A1", "A2"])
    bind_commands(tpl, sms_account, ["A2", "A3"])
    assert sorted(SmsCommand.objects.values_list("command", flat=True)) == ["A2", "A3"]


def test_commands_bind_only_on_sms_accounts(matrix):
    tpl = SmsTemplateFactory(code="SMSA", organisation=matrix["province"])
    with pytest.raises(ValidationError) as info:
        bind_commands(tpl, matrix["account_province"], ["A1"])
    assert "account" in info.value.message_dict


def test_publishing_binds_the_templates_commands(matrix, sms_account, superuser):
    tpl = SmsTemplateFactory(code="SMSA", organisation=matrix["branch1"], commands=["CXYE"], live=False)
    tpl.save_revision(user=superuser).publish(user=superuser)
    assert SmsCommand.objects.get(account=sms_account, command="CXYE").template == tpl


def test_moving_a_template_to_an_organisation_with_its_own_account_moves_its_commands(matrix, sms_account, superuser):
    from content.services.sms import sync_command_bindings

    branch_account = SmsAccountFactory(code="sms-xa", organisation=matrix["branch1"])
    tpl = SmsTemplateFactory(code="SMSA", organisation=matrix["branch2"], commands=["CXYE"])
    sync_command_bindings(tpl)
    assert SmsCommand.objects.get(command="CXYE").account == sms_account
    tpl.organisation = matrix["branch1"]
    tpl.save()
    sync_command_bindings(tpl)
    assert list(SmsCommand.objects.values_list("account__code", flat=True)) == [branch_account.code]
