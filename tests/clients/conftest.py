"""Real GraphQL client libraries, run under Node against pytest-django's live server:
tests/clients/node/ holds their package.json and package-lock.json (``npm ci`` installs
them when node_modules is missing)."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.api import make_api_client

NODE_DIR = Path(__file__).parent / "node"


@pytest.fixture(scope="session")
def node_clients():
    """The folder of the Node scripts, their packages installed; skips without node and npm."""
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("node and npm are not installed: the real-client tests run the clients under Node")
    if not (NODE_DIR / "node_modules").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True, timeout=300,
                       capture_output=True)
    return NODE_DIR


@pytest.fixture
def graphql_url(live_server):
    # 127.0.0.1: Node may resolve localhost to ::1, where the live server does not listen.
    return live_server.url.replace("localhost", "127.0.0.1") + "/graphql/"


@pytest.fixture
def client_token(matrix):
    _, token = make_api_client("西安公众号", matrix["branch1"], [matrix["account_branch1"]])
    return token


def run_node(node_dir, script, url, token, **env):
    """Run ``script`` under Node; its standard output as JSON."""
    completed = subprocess.run(
        ["node", script], check=False, cwd=node_dir, capture_output=True, text=True, timeout=180,
        env={**os.environ, "GRAPHQL_URL": url, "GRAPHQL_TOKEN": token, **env},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout)
