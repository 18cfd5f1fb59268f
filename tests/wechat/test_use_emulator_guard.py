"""``use_emulator`` rewrites accounts' API addresses and secrets for the local demo:
it refuses under production settings (exit 2) and touches only the accounts it is
told about, by code or as the sample export's."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from content.models import ChannelAccount

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
EMULATOR = "http://127.0.0.1:18999"


def api_urls():
    return dict(ChannelAccount.objects.values_list("code", "api_base_url"))


def test_use_emulator_refuses_under_the_production_settings_module_with_exit_status_2():
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="cms.settings.production", SECRET_KEY="x" * 50,
               CMS_SECRETS_KEY="yJ8p1m0bHq2bqv3b7n0pT2k4Xq9Y6d1w3s5u7w9y1A0=",
               DATABASE_URL="postgres://nobody@127.0.0.1:1/none", CELERY_BROKER_URL="redis://127.0.0.1:1/0",
               S3_BUCKET="media", REDIS_URL="redis://127.0.0.1:1/1", WAGTAILADMIN_BASE_URL="https://cms.example.cn")
    result = subprocess.run([sys.executable, "manage.py", "use_emulator", "--account", "wx-sx"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2, result.stderr
    assert "refused under production settings" in result.stderr


def test_use_emulator_refuses_when_production_is_set_and_changes_nothing(matrix, settings):
    settings.CMS_PRODUCTION = True
    before = api_urls()
    with pytest.raises(CommandError) as refused:
        call_command("use_emulator", "--account", "wx-sx-01", "--url", EMULATOR)
    assert refused.value.returncode == 2
    assert api_urls() == before


def test_use_emulator_without_named_accounts_touches_none(matrix):
    before = api_urls()
    with pytest.raises(CommandError) as refused:
        call_command("use_emulator", "--url", EMULATOR)
    assert refused.value.returncode == 2 and "--account" in str(refused.value)
    assert api_urls() == before


def test_use_emulator_points_only_the_named_account_at_the_emulator(matrix):
    # given three official accounts, none with a secret
    # when one is named
    call_command("use_emulator", "--account", "wx-sx-01", "--url", EMULATOR)
    # then only that one calls the emulator and got a demo secret
    urls = api_urls()
    assert urls["wx-sx-01"] == EMULATOR
    assert urls["wx-sx"] != EMULATOR and urls["wx-sx-02"] != EMULATOR
    assert ChannelAccount.objects.get(code="wx-sx-01").app_secret
    assert not ChannelAccount.objects.get(code="wx-sx-02").app_secret


def test_use_emulator_refuses_an_unknown_account_before_touching_any(matrix):
    with pytest.raises(CommandError) as refused:
        call_command("use_emulator", "--account", "wx-sx-01", "--account", "wx-nowhere", "--url", EMULATOR)
    assert "wx-nowhere" in str(refused.value)
    assert EMULATOR not in api_urls().values()


def test_use_emulator_sample_touches_the_sample_exports_official_accounts_only(matrix, tmp_path):
    # given an export naming two of the official accounts (and a web hall)
    export = {"format": "legacy-channel-export/1", "channel_accounts": [
        {"code": "wx-sx", "type": "wechat_official_account", "org": "SX"},
        {"code": "wx-sx-02", "type": "wechat_official_account", "org": "SX-02"},
        {"code": "web-sx", "type": "web", "org": "SX"},
    ]}
    (tmp_path / "export.json").write_text(json.dumps(export), encoding="utf-8")
    # when use_emulator is asked for the sample's accounts
    call_command("use_emulator", "--sample", str(tmp_path), "--url", EMULATOR)
    # then those two call the emulator and the third official account does not
    urls = api_urls()
    assert (urls["wx-sx"], urls["wx-sx-02"]) == (EMULATOR, EMULATOR)
    assert urls["wx-sx-01"] != EMULATOR
