"""An image auto-reply: its push job uploads the image once per account as a
permanent material (WeChat emulator over HTTP) and the callback replies with its
media_id; nothing is uploaded while answering."""

import pytest

from content.services.accounts import set_secret
from publishing.models import Publication, PublishBatch, State
from tests.support.content import publish
from tests.support.images import make_image
from tests.support.publishing import APP_SECRET

from .conftest import text_xml

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def on_emulator(account, wechat_emulator):
    account.api_base_url = wechat_emulator.base_url
    account.save()
    set_secret(account, "app_secret", APP_SECRET)
    return account


def _materials(emulator, app_id):
    with emulator.state.lock:
        return [(k, m) for k, m in emulator.state.materials.items() if m["appid"] == app_id]


def test_an_image_reply_is_uploaded_once_and_served_with_its_media_id(on_emulator, wechat, rule, matrix,
                                                                      wechat_emulator):
    account = on_emulator
    image = make_image(matrix["branch1"], "IMG-QR", title="营业厅二维码", format="JPEG")
    # when an image reply is published
    reply_rule = rule(keyword="二维码", reply_type="image", reply_text="", reply_image=image)
    # then its push job uploaded the image as a permanent material of the account
    pub = Publication.objects.get(batch__kind=PublishBatch.Kind.AUTO_REPLY, channel=Publication.Channel.WECHAT)
    assert pub.state == State.DONE, pub.last_error
    ((media_id, material),) = _materials(wechat_emulator, account.app_id)
    assert material["type"] == "image" and pub.media_id == media_id
    # and the callback answers with that media_id
    answer = wechat.reply(wechat.post(text_xml("二维码")))
    assert "<MsgType><![CDATA[image]]></MsgType>" in answer
    assert f"<Image><MediaId><![CDATA[{media_id}]]></MediaId></Image>" in answer
    # publishing the rule again uploads nothing new
    calls_before = wechat_emulator.state.calls[account.app_id]["material/add_material"]
    publish(reply_rule)
    assert wechat_emulator.state.calls[account.app_id]["material/add_material"] == calls_before == 1
    assert len(_materials(wechat_emulator, account.app_id)) == 1


def test_an_image_reply_whose_upload_failed_is_left_out_and_the_failure_shows(on_emulator, wechat, rule, matrix,
                                                                              wechat_emulator):
    account = on_emulator
    wechat_emulator.state.register(account.app_id, unauthorized_apis=["material/add_material"])
    rule(keyword="二维码", match="contains", priority=9, reply_type="image", reply_text="",
         reply_image=make_image(matrix["branch1"], "IMG-QR2", title="二维码", format="JPEG"))
    rule(keyword="扫码", match="contains", priority=1, reply_text="请到营业厅扫码")
    pub = Publication.objects.get(batch__kind=PublishBatch.Kind.AUTO_REPLY, channel=Publication.Channel.WECHAT)
    assert pub.state == State.FAILED and pub.last_error_code == "48001"
    # the image rule is left out: the next match answers
    assert "请到营业厅扫码" in wechat.reply(wechat.post(text_xml("二维码扫码")))
