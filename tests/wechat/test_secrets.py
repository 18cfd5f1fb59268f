"""The app secret and access tokens are never logged nor put in error messages."""

import logging

import pytest

from wechat.client import Article
from wechat.errors import PermanentError, WeChatError

pytestmark = pytest.mark.integration
SECRET = "s3cr3t-app-secret-value"


def test_secret_and_tokens_never_reach_the_logs(wechat_client, wechat_emulator, app_id, cover, caplog):
    # given: everything logged, at every level
    caplog.set_level(logging.DEBUG)
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    wechat_emulator.state.script(endpoint="draft/add", errcode=-1)
    wechat_emulator.state.script(endpoint="draft/count", lose_response=True)
    tokens = [wechat_client.access_token()]
    errors = []
    try:
        # when: a busy answer, a lost answer, a refused token, a permanent error
        wechat_client.add_draft([Article("标题", "<p>正文</p>", cover.media_id)], idempotency_key="log-check")
        wechat_client.count_drafts()
        wechat_emulator.state.invalidate_tokens(app_id)
        wechat_client.count_drafts()
        tokens.append(wechat_client.access_token())
        try:
            wechat_client.get_draft("no-such-draft")
        except PermanentError as exc:
            errors.append(exc)
    finally:
        logging.getLogger("httpx").setLevel(logging.NOTSET)
    # then
    text = caplog.text + "".join(repr(record.args) for record in caplog.records)
    assert "access_token=***" in text  # httpx's request lines were logged, redacted
    assert "draft/add" in caplog.text and "retry" in caplog.text
    assert SECRET not in text
    for token in tokens:
        assert token not in text
        assert all(token not in str(error) for error in errors)
    assert tokens[0] != tokens[1]
    assert SECRET not in repr(wechat_client)


def test_errors_name_the_endpoint_and_code_but_not_the_token(wechat_client, wechat_emulator):
    # when
    with pytest.raises(WeChatError) as caught:
        wechat_client.get_draft("missing")
    # then
    message = str(caught.value)
    assert "draft/get" in message and "40007" in message
    assert wechat_client.access_token() not in message
