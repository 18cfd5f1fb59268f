"""Rotating SECRET_KEY: API tokens issued under the old key keep working while it is
listed in SECRET_KEY_FALLBACKS, and a token used during that window is re-hashed
under the new key, so it outlives the old key's removal."""

import os
import subprocess
import sys
from pathlib import Path

from tests.support.api import Api, make_api_client

ROOT = Path(__file__).resolve().parents[2]
OLD = "old-secret-key-" + "o" * 40
NEW = "new-secret-key-" + "n" * 40
QUERY = "{ channelAccounts { edges { node { code } } } }"


def _status(token):
    return Api(token).post(QUERY)[0]


def test_api_tokens_survive_a_secret_key_rotation_through_the_fallbacks(matrix, settings):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD, []
    _, used = make_api_client("西安公众号", matrix["branch1"], [matrix["account_branch1"]])
    _, idle = make_api_client("宝鸡公众号", matrix["branch2"], [matrix["account_branch2"]])
    assert _status(used) == 200

    # Without the fallback every front end is logged out: this is what the setting prevents.
    settings.SECRET_KEY = NEW
    assert _status(used) == 401

    settings.SECRET_KEY_FALLBACKS = [OLD]
    assert _status(used) == 200

    # The old key leaves: the token used in the window was re-hashed, the idle one was not.
    settings.SECRET_KEY_FALLBACKS = []
    assert _status(used) == 200
    assert _status(idle) == 401


def test_secret_key_fallbacks_are_read_from_the_environment():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.dev", "SECRET_KEY_FALLBACKS": "first-old,second-old"}
    result = subprocess.run(
        [sys.executable, "-c", ("import django; django.setup(); from django.conf import settings; "
                                "print(settings.SECRET_KEY_FALLBACKS)")],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['first-old', 'second-old']"
