"""SMS commands per brand: 全球通 and 动感地带 customers get their own reply to the
same command, everyone else the default; one template per (account, command, brand);
GraphQL, the bundle and its delta answer by the same rule."""

import pytest
from django.core.exceptions import ValidationError

from content.models import Brand, SmsCommand
from content.services.sms_commands import pick, resolve
from publishing.changes.bundle import build_bundle, bundle_delta
from publishing.changes.services import current_version
from tests.support.api import Api, codes, make_api_client
from tests.support.content import unpublish
from tests.support.factories import SmsAccountFactory, SmsTemplateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall(matrix):
    """The SMS hall serving branch SX-01."""
    return SmsAccountFactory(code="sms-sx-01", organisation=matrix["branch1"])


@pytest.fixture
def cxtc(matrix, hall):
    """Three published answers to CXTC: a default, one for 全球通, one for 动感地带."""

    def make(code, brands, text):
        return SmsTemplateFactory(
            code=code,
            organisation=matrix["branch1"],
            commands=["CXTC"],
            brands=brands,
            text=text,
            parameters=[],
            published=True,
        )

    return {
        "default": make("TC-DEFAULT", [], "您的套餐为基础套餐。"),
        "gotone": make(
            "TC-GOTONE", ["gotone"], "尊敬的全球通客户,您的套餐为全球通畅享。"
        ),
        "mzone": make("TC-MZONE", ["mzone"], "动感地带用户你好,你的套餐为潮玩卡。"),
    }


def test_each_brand_gets_its_own_reply_and_other_brands_the_default(hall, cxtc):
    # when / then
    assert resolve(hall, "CXTC", "gotone") == cxtc["gotone"]
    assert resolve(hall, "cxtc", Brand.objects.get(code="mzone")) == cxtc["mzone"]
    assert resolve(hall, "CXTC", "easyown") == cxtc["default"]
    assert resolve(hall, "CXTC", None) == cxtc["default"]
    assert resolve(hall, "CXYE", "gotone") is None


def test_publishing_binds_a_template_for_each_of_its_brands(matrix, hall):
    # given / when a template for two brands is published
    SmsTemplateFactory(
        code="TC-TWO",
        organisation=matrix["branch1"],
        commands=["CXTC"],
        brands=["gotone", "mzone"],
        parameters=[],
        text="套餐查询结果。",
        published=True,
    )
    # then
    bound = set(
        SmsCommand.objects.filter(account=hall).values_list(
            "command", "brand__code", "template__code"
        )
    )
    assert bound == {("CXTC", "gotone", "TC-TWO"), ("CXTC", "mzone", "TC-TWO")}


def test_a_second_template_for_the_same_brand_and_command_is_refused_naming_both(
    matrix, hall, cxtc
):
    # given a draft for 全球通 answering CXTC again
    rival = SmsTemplateFactory(
        code="TC-RIVAL",
        organisation=matrix["branch1"],
        commands=["CXTC"],
        brands=["gotone"],
        parameters=[],
        text="另一个全球通回复。",
    )
    # when
    with pytest.raises(ValidationError) as refused:
        rival.full_clean()
    # then the message names the command, the brand, the account and the template holding it
    [message] = refused.value.message_dict["commands"]
    assert (
        "CXTC" in message
        and "全球通" in message
        and "sms-sx-01" in message
        and "TC-GOTONE" in message
    )
    assert resolve(hall, "CXTC", "gotone") == cxtc["gotone"]


def test_a_second_default_is_refused_and_a_new_brand_is_not(matrix, hall, cxtc):
    second_default = SmsTemplateFactory(
        code="TC-D2",
        organisation=matrix["branch1"],
        commands=["CXTC"],
        parameters=[],
        text="又一个默认回复。",
    )
    with pytest.raises(ValidationError) as refused:
        second_default.full_clean()
    assert "默认" in refused.value.message_dict["commands"][0]
    easyown = SmsTemplateFactory(
        code="TC-EASY",
        organisation=matrix["branch1"],
        commands=["CXTC"],
        brands=["easyown"],
        parameters=[],
        text="神州行套餐。",
        published=True,
    )
    easyown.full_clean()
    assert resolve(hall, "CXTC", "easyown") == easyown


def test_the_database_refuses_two_defaults_of_one_command(hall, cxtc):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SmsCommand.objects.create(account=hall, command="CXTC", template=cxtc["gotone"])


def test_an_unpublished_brand_reply_leaves_its_customers_the_default(hall, cxtc):
    # when the 全球通 reply is withdrawn
    unpublish(cxtc["gotone"])
    # then its customers get the default, not the withdrawn text
    assert resolve(hall, "CXTC", "gotone") == cxtc["default"]
    assert resolve(hall, "CXTC", "mzone") == cxtc["mzone"]


def test_the_rule_prefers_the_brand_then_the_default():
    assert pick({None: "D", "gotone": "G"}, "gotone") == "G"
    assert pick({None: "D", "gotone": "G"}, "mzone") == "D"
    assert pick({"gotone": "G"}, "mzone") is None
    assert pick({"gotone": "G"}, None) is None


def test_graphql_answers_a_command_for_the_callers_brand(matrix, hall, cxtc):
    # given the SMS gateway of SX-01
    _, token = make_api_client("短厅网关", matrix["branch1"], [hall])
    api = Api(token)
    query = (
        'query($cmd: String, $b: String) { smsTemplates(account: "sms-sx-01", command: $cmd, brand: $b) '
        "{ edges { node { code text } } } }"
    )
    # when / then
    assert codes(api.data(query, {"cmd": "CXTC", "b": "gotone"})["smsTemplates"]) == [
        "TC-GOTONE"
    ]
    assert codes(api.data(query, {"cmd": "CXTC", "b": "mzone"})["smsTemplates"]) == [
        "TC-MZONE"
    ]
    assert codes(api.data(query, {"cmd": "CXTC", "b": "easyown"})["smsTemplates"]) == [
        "TC-DEFAULT"
    ]
    assert codes(api.data(query, {"cmd": "CXTC"})["smsTemplates"]) == ["TC-DEFAULT"]
    assert (
        codes(api.data(query, {"cmd": "NOSUCH", "b": "gotone"})["smsTemplates"]) == []
    )


def test_the_bundle_carries_every_brands_binding_for_the_gateway(hall, cxtc):
    bundle = build_bundle(hall)
    assert bundle["format"] == "channel-bundle/2"
    assert bundle["smsCommands"] == {
        "CXTC": {
            "default": "TC-DEFAULT",
            "brands": {"gotone": "TC-GOTONE", "mzone": "TC-MZONE"},
        }
    }


def test_the_delta_after_withdrawing_a_brand_reply_keeps_the_command(hall, cxtc):
    # given a gateway holding the current bundle
    since = current_version(hall)
    # when the 动感地带 reply is withdrawn
    unpublish(cxtc["mzone"])
    delta = bundle_delta(hall, since)
    # then the command's entry is re-sent whole, without the withdrawn brand; the command stays
    assert delta["upserts"]["smsCommands"] == {
        "CXTC": {"default": "TC-DEFAULT", "brands": {"gotone": "TC-GOTONE"}}
    }
    assert "CXTC" not in delta["removed"].get("smsCommands", [])
    assert delta["removed"]["smsTemplates"] == ["TC-MZONE"]


def _add_form(matrix, code, brands, text):
    return {
        "code": code,
        "category": "reply",
        "organisation": matrix["branch1"].pk,
        "text": text,
        "parameters": "",
        "commands": "cxtc",
        "brands": [Brand.objects.get(code=b).pk for b in brands],
    }


def test_the_admin_form_binds_a_new_brand_reply_beside_the_default_and_refuses_a_second(
    client, matrix, hall, cxtc, superuser
):
    from django.urls import reverse

    client.force_login(superuser)
    url = reverse("wagtailsnippets_content_smstemplate:add")
    # when an editor adds a 神州行 reply to CXTC (the brand ticked in the same form)
    response = client.post(
        url, _add_form(matrix, "TC-EASY", ["easyown"], "神州行套餐查询结果。")
    )
    # then it is saved and reserves CXTC for 神州行 beside the default and the other brands
    assert response.status_code == 302
    bound = dict(
        SmsCommand.objects.filter(account=hall, command="CXTC").values_list(
            "brand__code", "template__code"
        )
    )
    assert bound == {
        None: "TC-DEFAULT",
        "gotone": "TC-GOTONE",
        "mzone": "TC-MZONE",
        "easyown": "TC-EASY",
    }
    # when a second 全球通 reply is added, the form refuses it on 绑定指令 naming the holder
    response = client.post(
        url, _add_form(matrix, "TC-NEW-2", ["gotone"], "又一个全球通回复。")
    )
    assert response.status_code == 200
    assert "TC-GOTONE" in " ".join(response.context["form"].errors["commands"])
    assert not SmsCommand.objects.filter(template__code="TC-NEW-2").exists()
