"""The emulator's inspection view and controls, over HTTP."""

import httpx
import pytest

from wechat.client import Article

pytestmark = pytest.mark.integration


def test_state_json_shows_what_the_emulator_holds_without_secrets(wechat_client, wechat_emulator, app_id, cover):
    # given
    wechat_emulator.state.register(app_id, secret="s3cr3t-app-secret-value", code="wx-sx")
    wechat_client.add_draft([Article("流量日报", "<p>正文</p>", cover.media_id)], idempotency_key="daily")
    token = wechat_client.access_token()
    # when
    response = httpx.get(f"{wechat_emulator.base_url}/_emulator/state")
    # then
    state = response.json()
    assert response.status_code == 200
    assert state["drafts"][0]["titles"] == ["流量日报"]
    assert state["materials"][0]["media_id"] == cover.media_id
    assert state["calls"][app_id]["draft/add"] == 1
    assert state["accounts"][app_id]["secret"] == "set"
    assert "s3cr3t-app-secret-value" not in response.text
    assert token not in response.text


def test_html_page_lists_drafts_and_calls(wechat_client, wechat_emulator, cover):
    # given
    wechat_client.add_draft([Article("<b>家庭宽带</b>", "<p>正文</p>", cover.media_id)], idempotency_key="fiber")
    # when
    response = httpx.get(f"{wechat_emulator.base_url}/_emulator/")
    # then
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Drafts (1)" in response.text
    assert "&lt;b&gt;家庭宽带&lt;/b&gt;" in response.text


def test_controls_configure_faults_and_accounts_over_http(wechat_client, wechat_emulator, app_id):
    # when
    base = f"{wechat_emulator.base_url}/_emulator"
    assert httpx.post(f"{base}/config", json={"fault_rate": 0.25, "slow_ms": 5}).json()["errcode"] == 0
    assert httpx.post(f"{base}/accounts", json={"appid": app_id, "code": "wx-demo"}).json()["errcode"] == 0
    assert httpx.post(f"{base}/faults", json={"endpoint": "draft/count", "errcode": 45009}).json()["errcode"] == 0
    refused = httpx.post(f"{base}/config", json={"no_such_setting": 1})
    # then
    state = httpx.get(f"{base}/state").json()
    assert state["config"]["fault_rate"] == 0.25
    assert state["accounts"][app_id]["code"] == "wx-demo"
    assert state["scripted_faults"][0]["errcode"] == 45009
    assert refused.status_code == 400


def test_reset_forgets_everything(wechat_client, wechat_emulator, cover):
    # given
    wechat_client.add_draft([Article("标题", "<p>正文</p>", cover.media_id)], idempotency_key="gone")
    # when
    httpx.post(f"{wechat_emulator.base_url}/_emulator/reset")
    # then
    state = httpx.get(f"{wechat_emulator.base_url}/_emulator/state").json()
    assert state["drafts"] == [] and state["materials"] == [] and state["calls"] == {}


def test_uploaded_images_and_published_articles_are_served(wechat_client, wechat_emulator):
    # given
    png = b"\x89PNG\r\n\x1a\n" + b"\x07" * 30
    url = wechat_client.upload_body_image(png)
    # when
    image = httpx.get(url)
    # then
    assert image.content == png
    assert image.headers["content-type"] == "image/png"


def test_unknown_api_and_wrong_method_are_refused(wechat_client, wechat_emulator):
    token = wechat_client.access_token()
    unknown = httpx.post(f"{wechat_emulator.base_url}/cgi-bin/no/such/api", params={"access_token": token})
    wrong_method = httpx.get(f"{wechat_emulator.base_url}/cgi-bin/draft/add", params={"access_token": token})
    no_token = httpx.post(f"{wechat_emulator.base_url}/cgi-bin/draft/add", json={})
    assert unknown.status_code == 404
    assert wrong_method.json()["errcode"] == 43002
    assert no_token.json()["errcode"] == 41001
