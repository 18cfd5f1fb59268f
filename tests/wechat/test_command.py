"""`manage.py wechat_emulator` serves the emulator for the local demo, and
`client_for_account` builds a client from a channel account."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from content.services.accounts import set_secret
from wechat.client import client_for_account
from tests.support.emulator import free_port
from tests.support.factories import ChannelAccountFactory, OrganisationFactory

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def _wait_for(url, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read())
        try:
            return httpx.get(url, timeout=1).json()
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


def test_command_serves_the_emulator_with_the_database_accounts(transactional_db):
    # given: an official account with its secret, committed for the command's process
    org = OrganisationFactory(code="SX", level="province", parent=None)
    account = ChannelAccountFactory(code="wx-sx", organisation=org, app_id="wxcommand0000001", original_id="gh_sx")
    set_secret(account, "app_secret", "command-secret")
    port = free_port()
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.test",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    command = [sys.executable, "manage.py", "wechat_emulator", "--port", str(port), "--fault-rate", "0.1",
               "--callback-base", "http://127.0.0.1:8000", "--from-accounts", "--app", "wxextra:extra-secret:wx-extra"]
    # when
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        state = _wait_for(f"http://127.0.0.1:{port}/_emulator/state", process)
        wrong = httpx.post(f"http://127.0.0.1:{port}/cgi-bin/stable_token",
                           json={"grant_type": "client_credential", "appid": "wxcommand0000001", "secret": "wrong"})
    finally:
        process.terminate()
        process.wait(timeout=10)
    # then
    assert state["config"]["fault_rate"] == 0.1
    assert state["config"]["callback_base"] == "http://127.0.0.1:8000"
    assert state["accounts"]["wxcommand0000001"]["code"] == "wx-sx"
    assert state["accounts"]["wxcommand0000001"]["secret"] == "set"
    assert state["accounts"]["wxextra"]["code"] == "wx-extra"
    assert wrong.json()["errcode"] in (40125, -1)


def test_client_for_account_uses_its_secret_and_api_base_url(db, wechat_emulator, token_store):
    # given
    org = OrganisationFactory(code="SX", level="province", parent=None)
    account = ChannelAccountFactory(code="wx-sx", organisation=org, api_base_url=wechat_emulator.base_url)
    set_secret(account, "app_secret", "account-secret")
    wechat_emulator.state.register(account.app_id, secret="account-secret")
    account.refresh_from_db()
    # when
    with client_for_account(account, token_store=token_store) as client:
        token = client.access_token()
    # then
    assert token
    assert client.base_url == wechat_emulator.base_url


def test_client_for_account_without_secret_names_the_field(db):
    org = OrganisationFactory(code="SX", level="province", parent=None)
    account = ChannelAccountFactory(code="wx-sx", organisation=org)
    with pytest.raises(ValidationError) as caught:
        client_for_account(account)
    assert "app_secret" in caught.value.message_dict
