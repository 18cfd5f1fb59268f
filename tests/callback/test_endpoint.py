"""The endpoint as WeChat calls it: verification, every message and event kind in
plain, safe and compatible mode, and the shape of text and news replies."""

import time

import pytest
import xmltodict

from callback.crypto import signature
from callback.models import MessageLog

from tests.support.content import committed
from tests.support.factories import ArticleFactory
from tests.support.images import make_image

from .conftest import OPENID, ORIGINAL_ID, TOKEN, event_xml, text_xml

MODES = ["plain", "safe", "compatible"]


def test_verification_echoes_echostr_when_signature_matches(client, account, wechat):
    # given
    params = {**wechat.signed_params(), "echostr": "8371615837211"}
    # when
    response = client.get(wechat.url, params)
    # then
    assert response.status_code == 200
    assert response.content == b"8371615837211"


def test_verification_refuses_a_wrong_signature(client, account, wechat):
    # given
    params = {**wechat.signed_params(), "echostr": "8371615837211"}
    params["signature"] = signature("another-token", params["timestamp"], params["nonce"])
    # when
    response = client.get(wechat.url, params)
    # then
    assert response.status_code == 403
    assert b"8371615837211" not in response.content


def test_verification_refuses_a_stale_timestamp(client, account, wechat):
    # given: a correctly signed URL captured an hour ago
    params = {**wechat.signed_params(timestamp=int(time.time()) - 3600), "echostr": "1"}
    # when / then
    assert client.get(wechat.url, params).status_code == 403


@pytest.mark.parametrize("mode", MODES)
def test_text_message_gets_the_keyword_reply(mode, account, wechat, rule):
    # given
    rule(keyword="流量", reply_text="流量查询请回复CXLL")
    # when
    reply = xmltodict.parse(wechat.reply(wechat.post(text_xml("流量"), mode), mode))["xml"]
    # then
    assert reply["MsgType"] == "text"
    assert reply["Content"] == "流量查询请回复CXLL"
    assert reply["ToUserName"] == OPENID and reply["FromUserName"] == ORIGINAL_ID


@pytest.mark.parametrize("mode", MODES)
def test_encrypted_request_gets_an_encrypted_reply(mode, account, wechat, rule):
    # given
    rule(keyword="hi", reply_text="hello")
    # when
    response = wechat.post(text_xml("hi"), mode)
    # then
    body = response.content.decode()
    if mode == "plain":
        assert "<Content><![CDATA[hello]]></Content>" in body
    else:
        assert "<Encrypt>" in body and "hello" not in body
        envelope = xmltodict.parse(body)["xml"]
        assert envelope["MsgSignature"] == signature(TOKEN, envelope["TimeStamp"], envelope["Nonce"], envelope["Encrypt"])


@pytest.mark.parametrize("mode", MODES)
def test_subscribe_gets_the_welcome_reply(mode, account, wechat, rule):
    # given
    rule(kind="subscribe", reply_text="欢迎关注陕西移动")
    # when
    reply = wechat.reply(wechat.post(event_xml("subscribe"), mode), mode)
    # then
    assert xmltodict.parse(reply)["xml"]["Content"] == "欢迎关注陕西移动"


@pytest.mark.parametrize("mode", MODES)
def test_scan_subscribe_with_scene_also_gets_the_welcome_reply(mode, account, wechat, rule):
    # given
    rule(kind="subscribe", reply_text="欢迎")
    # when
    reply = wechat.reply(wechat.post(event_xml("subscribe", event_key="qrscene_123"), mode), mode)
    # then
    assert xmltodict.parse(reply)["xml"]["Content"] == "欢迎"


@pytest.mark.parametrize("mode", MODES)
def test_menu_click_is_answered_by_its_event_key(mode, account, wechat, rule):
    # given
    rule(kind="click", event_key="V1001_BILL", reply_text="本月账单")
    rule(kind="click", event_key="V1001_OTHER", reply_text="别的")
    # when
    reply = wechat.reply(wechat.post(event_xml("CLICK", event_key="V1001_BILL"), mode), mode)
    # then
    assert xmltodict.parse(reply)["xml"]["Content"] == "本月账单"


@pytest.mark.parametrize("mode", MODES)
def test_menu_click_with_unknown_key_answers_success(mode, account, wechat, rule):
    rule(kind="click", event_key="KNOWN", reply_text="x")
    assert wechat.post(event_xml("CLICK", event_key="UNKNOWN"), mode).content == b"success"


OTHER_MESSAGES = {
    "image": "<PicUrl><![CDATA[http://mmbiz/x.jpg]]></PicUrl><MediaId><![CDATA[m1]]></MediaId>",
    "voice": "<MediaId><![CDATA[m2]]></MediaId><Format><![CDATA[amr]]></Format>",
    "video": "<MediaId><![CDATA[m3]]></MediaId><ThumbMediaId><![CDATA[t3]]></ThumbMediaId>",
    "shortvideo": "<MediaId><![CDATA[m4]]></MediaId><ThumbMediaId><![CDATA[t4]]></ThumbMediaId>",
    "location": "<Location_X>34.26</Location_X><Location_Y>108.94</Location_Y><Scale>15</Scale><Label><![CDATA[钟楼]]></Label>",
    "link": "<Title><![CDATA[t]]></Title><Description><![CDATA[d]]></Description><Url><![CDATA[http://x]]></Url>",
}


def _message_xml(msg_type, extra, msg_id):
    return (
        f"<xml><ToUserName><![CDATA[{ORIGINAL_ID}]]></ToUserName><FromUserName><![CDATA[{OPENID}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>{extra}"
        f"<MsgId>{msg_id}</MsgId></xml>"
    )


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("msg_type", sorted(OTHER_MESSAGES))
def test_other_message_kinds_get_the_default_reply(msg_type, mode, account, wechat, rule):
    # given
    rule(kind="default", reply_text="您的消息已收到")
    # when
    reply = wechat.reply(wechat.post(_message_xml(msg_type, OTHER_MESSAGES[msg_type], 7001), mode), mode)
    # then
    assert xmltodict.parse(reply)["xml"]["Content"] == "您的消息已收到"
    log = MessageLog.objects.get()
    assert log.msg_type == msg_type and log.matched_kind == "default" and log.excerpt == ""


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "event, extra",
    [
        ("unsubscribe", ""),
        ("VIEW", "<EventKey><![CDATA[https://wap.example.cn/]]></EventKey>"),
        ("SCAN", "<EventKey><![CDATA[123]]></EventKey><Ticket><![CDATA[t]]></Ticket>"),
        ("LOCATION", "<Latitude>34.2</Latitude><Longitude>108.9</Longitude><Precision>65</Precision>"),
        ("TEMPLATESENDJOBFINISH", "<MsgID>200163836</MsgID><Status><![CDATA[success]]></Status>"),
    ],
)
def test_other_events_answer_success_and_are_logged(event, extra, mode, account, wechat, rule):
    # given: even with a default reply, events are not chatted back to
    rule(kind="default", reply_text="默认")
    # when
    response = wechat.post(event_xml(event, extra=extra), mode)
    # then
    assert response.status_code == 200 and response.content == b"success"
    log = MessageLog.objects.get()
    assert log.event == event and log.matched_kind == "" and log.encrypted == (mode != "plain")


@pytest.mark.parametrize("mode", MODES)
def test_text_without_any_rule_answers_success(mode, account, wechat):
    assert wechat.post(text_xml("anything"), mode).content == b"success"


def test_news_reply_carries_the_article_cover_and_link(account, wechat, rule, matrix):
    # given: a published article with a cover, and the web hall of the province
    from content.models import ChannelAccount

    ChannelAccount.objects.create(code="web-sx", name="网上营业厅", type="web", organisation=matrix["province"],
                                  base_url="https://wap.sx.example.cn/")
    article = ArticleFactory(code="ART-5G", title="5G套餐上新", digest="月费更低", organisation=matrix["province"],
                             shared_to=[matrix["branch1"]], channels=[], published=True,
                             cover_image=make_image(matrix["province"], "IMG-COVER", title="封面"))
    rule(keyword="5G", reply_type="article", reply_article=article, reply_text="")
    # when
    reply = xmltodict.parse(wechat.reply(wechat.post(text_xml("5g"), "safe"), "safe"))["xml"]
    # then
    assert reply["MsgType"] == "news" and reply["ArticleCount"] == "1"
    item = reply["Articles"]["item"]
    assert item["Title"] == "5G套餐上新" and item["Description"] == "月费更低"
    assert item["Url"] == "https://wap.sx.example.cn/articles/ART-5G"
    assert item["PicUrl"].startswith("http://localhost:8000/") and ".fill-900x383" in item["PicUrl"]


def test_rule_pointing_at_an_unpublished_article_does_not_answer(account, wechat, rule, matrix):
    # given: the article was published when the rule was, then withdrawn
    article = ArticleFactory(code="ART-DRAFT", title="撤回", organisation=matrix["province"], shared_to=[matrix["branch1"]],
                             published=True)
    rule(keyword="草稿", reply_type="article", reply_article=article, reply_text="")
    with committed():
        article.unpublish()
    rule(kind="default", reply_text="默认回复")
    # when
    reply = wechat.reply(wechat.post(text_xml("草稿")))
    # then
    assert xmltodict.parse(reply)["xml"]["Content"] == "默认回复"


def test_long_text_reply_is_cut_under_2048_bytes(account, wechat, imported_rule):
    # given: an over-long text that bypassed the admin's limit (a bulk import)
    from django.core.management import call_command

    imported_rule(keyword="长", reply_text="移" * 1000)
    call_command("rebuild_reply_tables")
    # when
    content = xmltodict.parse(wechat.reply(wechat.post(text_xml("长"))))["xml"]["Content"]
    # then
    assert len(content.encode("utf-8")) < 2048
    assert content.endswith("…") and content.startswith("移" * 600)


def test_reply_text_with_cdata_terminator_stays_well_formed(account, wechat, rule):
    # given
    rule(keyword="x", reply_text="a]]>b<c>&d")
    # when
    content = xmltodict.parse(wechat.reply(wechat.post(text_xml("x"))))["xml"]["Content"]
    # then
    assert content == "a]]>b<c>&d"
