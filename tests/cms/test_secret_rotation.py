"""Rotating CMS_SECRETS_KEY: old keys keep decrypting (CMS_SECRETS_KEY_FALLBACKS),
`manage.py rotate_secrets` re-encrypts under the new key, and a secret no configured
key opens gives a clear error where it is needed instead of a 500 everywhere."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from content.models import ChannelAccount
from content.services.accounts import set_secret
from publishing.services.articles import open_client
from publishing.services.runner import Refused
from tests.callback.conftest import ORIGINAL_ID, TOKEN, WeChatSender, text_xml
from tests.support.content import account_form
from wechat.client import client_for_account

ROOT = Path(__file__).resolve().parents[2]
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def _raw(account, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM content_channelaccount WHERE id = %s", [account.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def old_secrets(matrix, settings):
    """An official account whose secrets were stored under OLD_KEY."""
    settings.CMS_SECRETS_KEY, settings.CMS_SECRETS_KEY_FALLBACKS = OLD_KEY, []
    account = matrix["account_branch1"]
    set_secret(account, "app_secret", "app-secret-under-old-key")
    set_secret(account, "webhook_key", "webhook-key-under-old-key")
    return account


def test_fallback_key_still_decrypts_and_rotate_secrets_reseals_under_the_new_key(old_secrets, settings):
    settings.CMS_SECRETS_KEY, settings.CMS_SECRETS_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    assert ChannelAccount.objects.get(pk=old_secrets.pk).app_secret.reveal() == "app-secret-under-old-key"
    out, err = io.StringIO(), io.StringIO()
    call_command("rotate_secrets", stdout=out, stderr=err)
    assert "secrets re-encrypted" in out.getvalue()
    assert "under-old-key" not in out.getvalue() + err.getvalue()
    # The stored values now open with the new key alone.
    assert Fernet(NEW_KEY).decrypt(_raw(old_secrets, "app_secret").encode()) == b"app-secret-under-old-key"
    settings.CMS_SECRETS_KEY_FALLBACKS = []
    fresh = ChannelAccount.objects.get(pk=old_secrets.pk)
    assert fresh.app_secret.reveal() == "app-secret-under-old-key"
    assert fresh.webhook_key.reveal() == "webhook-key-under-old-key"


def test_without_the_old_key_pages_still_answer_and_the_account_page_says_why(old_secrets, settings, client, superuser):
    settings.CMS_SECRETS_KEY, settings.CMS_SECRETS_KEY_FALLBACKS = NEW_KEY, []
    client.force_login(superuser)
    assert client.get(reverse("wagtailsnippets_content_channelaccount:list")).status_code == 200
    assert client.get(reverse("publishing:dashboard")).status_code == 200
    edit = reverse("wagtailsnippets_content_channelaccount:edit", args=[old_secrets.pk])
    page = client.get(edit)
    assert page.status_code == 200
    assert "无法用当前的 CMS_SECRETS_KEY 解密" in page.content.decode()
    answer = client.post("/graphql/", json.dumps({"query": "{ channelAccounts { edges { node { code } } } }"}),
                         content_type="application/json")
    assert answer.status_code == 200 and old_secrets.code in answer.content.decode()
    assert "errors" not in answer.json()


def test_saving_an_account_with_an_unreadable_secret_keeps_the_stored_value(old_secrets, settings, client, superuser):
    settings.CMS_SECRETS_KEY, settings.CMS_SECRETS_KEY_FALLBACKS = NEW_KEY, []
    stored = _raw(old_secrets, "app_secret")
    client.force_login(superuser)
    edit = reverse("wagtailsnippets_content_channelaccount:edit", args=[old_secrets.pk])
    data = account_form(old_secrets, name="改名", max_segments=3, opt_out_text="拒收请回复R", enabled="on")
    assert client.post(edit, data).status_code == 302
    assert _raw(old_secrets, "app_secret") == stored
    settings.CMS_SECRETS_KEY_FALLBACKS = [OLD_KEY]  # the old key comes back: nothing was lost
    assert ChannelAccount.objects.get(pk=old_secrets.pk).app_secret.reveal() == "app-secret-under-old-key"


def test_publishing_with_an_unreadable_secret_fails_naming_the_account_and_field(old_secrets, settings):
    settings.CMS_SECRETS_KEY, settings.CMS_SECRETS_KEY_FALLBACKS = NEW_KEY, []
    account = ChannelAccount.objects.get(pk=old_secrets.pk)
    with pytest.raises(ValidationError) as caught:
        client_for_account(account)
    assert "app_secret" in caught.value.message_dict
    assert account.code in str(caught.value) and "AppSecret" in str(caught.value)
    with pytest.raises(Refused) as refused:
        open_client(account)
    assert account.code in refused.value.reason and "CMS_SECRETS_KEY" in refused.value.reason


def test_account_secret_status_and_rotate_secrets_name_the_unreadable_secret(old_secrets, settings):
    settings.CMS_SECRETS_KEY, settings.CMS_SECRETS_KEY_FALLBACKS = NEW_KEY, []
    out = io.StringIO()
    call_command("account_secret", "status", old_secrets.code, stdout=out)
    assert "app_secret\tset, unreadable" in out.getvalue()
    err = io.StringIO()
    with pytest.raises(CommandError, match="could not be decrypted"):
        call_command("rotate_secrets", stdout=io.StringIO(), stderr=err)
    assert old_secrets.code in err.getvalue() and "AppSecret" in err.getvalue()
    assert "under-old-key" not in err.getvalue()


def test_callback_of_an_account_with_unreadable_secrets_answers_503_and_heals_with_the_key(matrix, settings, client):
    from django.core.cache import cache

    from callback import table
    from tests.callback.conftest import AES_KEY

    cache.clear()
    table._compiled.clear()
    settings.CMS_SECRETS_KEY, settings.CMS_SECRETS_KEY_FALLBACKS = OLD_KEY, []
    account = matrix["account_branch1"]
    account.original_id = ORIGINAL_ID
    account.save()
    set_secret(account, "callback_token", TOKEN)
    set_secret(account, "encoding_aes_key", AES_KEY)
    settings.CMS_SECRETS_KEY = NEW_KEY
    sender = WeChatSender(client, account)
    refused = sender.post(text_xml("hello"))
    assert refused.status_code == 503 and refused.content == b"account secrets unreadable"
    settings.CMS_SECRETS_KEY_FALLBACKS = [OLD_KEY]
    table._compiled.clear()  # another process, or a second later
    assert sender.post(text_xml("hello")).status_code == 200


@pytest.mark.parametrize("variable", ["CMS_SECRETS_KEY", "CMS_SECRETS_KEY_FALLBACKS"])
def test_a_malformed_key_fails_check_without_echoing_it(variable):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.dev", variable: "not-a-fernet-key-but-a-secret"}
    env.pop("CMS_SECRETS_KEY", None) if variable != "CMS_SECRETS_KEY" else None
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert f"{variable} must be a Fernet key" in result.stderr
    assert "not-a-fernet-key-but-a-secret" not in result.stdout + result.stderr


def test_a_webhook_whose_key_is_unreadable_logs_failed_attempts_that_say_why_and_sends_nothing(
    matrix, settings, django_capture_on_commit_callbacks
):
    from content.models import SmsTemplate
    from content.secrets import Secret
    from publishing.models import Delivery, State, WebhookEndpoint
    from tests.publishing.receiver import WebhookReceiver
    from tests.support.factories import ChannelAccountFactory

    settings.CMS_SECRETS_KEY, settings.CMS_SECRETS_KEY_FALLBACKS = OLD_KEY, []
    settings.PUBLISHING_RETRY_BASE_SECONDS, settings.PUBLISHING_RETRY_CAP_SECONDS = 0.01, 0.02
    settings.PUBLISHING_WEBHOOK_RETRY_WINDOW_SECONDS, settings.PUBLISHING_INLINE_BUDGET_SECONDS = 1, 5
    receiver = WebhookReceiver(secret="whsec-test-secret")
    receiver.start()
    try:
        account = ChannelAccountFactory(code="sms-sx-01", organisation=matrix["branch1"], type=ChannelAccount.Type.SMS,
                                        app_id="", service_number="10086", signature="【中国移动】")
        WebhookEndpoint.objects.create(account=account, name="短信网关", url=receiver.url, secret=Secret(receiver.secret))
        settings.CMS_SECRETS_KEY = NEW_KEY
        with django_capture_on_commit_callbacks(execute=True):
            template = SmsTemplate.objects.create(code="CXYE", category="reply", organisation=matrix["branch1"],
                                                  text="您的余额为{balance}元", commands=[],
                                                  parameters=[{"name": "balance", "type": "text", "max_length": 10}])
            template.save_revision().publish()
        assert receiver.requests == []
        delivery = Delivery.objects.get()
        errors = list(delivery.attempt_log.values_list("error", flat=True))
        assert errors and all("短信网关" in error and "CMS_SECRETS_KEY" in error for error in errors)
        assert delivery.state != State.DONE
    finally:
        receiver.stop()
