"""The change feed names a live release: ``Change.release`` and ``Bundle.release`` /
``BundleDelta.release`` give its code and version, so a front end logs which
release it shows; a rollback is the same release with ``rollback: true``."""

import pytest

from releases import golive
from tests.support.api import Api, make_api_client

from .conftest import committed, go_live_now

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

QUERY = """
query Feed($account: String!, $since: BigInt!) {
  changes(account: $account, since: $since, first: 100) {
    edges { node { version kind code action release { code version rollback } } }
  }
  bundle(account: $account) { version release { code version rollback } }
  bundleDelta(account: $account, since: $since) { version release { code version } }
}
"""


@pytest.fixture
def api(matrix, sms_account):
    _client, token = make_api_client("短信网关", matrix["branch1"], [sms_account])
    return Api(token)


def test_the_change_feed_and_bundle_name_the_release_they_hold(
    release, sms_account, api
):
    # given what the SMS hall held before the release
    before = api.data(QUERY, {"account": sms_account.code, "since": 0})
    assert before["bundle"]["release"] is None
    since = before["bundle"]["version"]
    # when the release goes live
    release = go_live_now(release)
    run = release.runs.get()
    data = api.data(QUERY, {"account": sms_account.code, "since": since})
    # then every change since carries the release's code and its one version
    changes = [edge["node"] for edge in data["changes"]["edges"]]
    assert {c["code"] for c in changes} >= {"SMS-5G-58", "SMS-5G-58-KT", "PKG-5G-58"}
    assert {
        (c["release"]["code"], int(c["release"]["version"]), c["release"]["rollback"])
        for c in changes
    } == {(release.code, run.change_version, False)}
    # and the bundle and the delta name it at that version
    held = data["bundle"]["release"]
    assert (held["code"], int(held["version"]), held["rollback"]) == (
        release.code,
        run.change_version,
        False,
    )
    assert int(data["bundle"]["version"]) == run.change_version
    assert data["bundleDelta"]["release"]["code"] == release.code


def test_a_rollback_shows_as_the_same_release_rolled_back(release, sms_account, api):
    release = go_live_now(release)
    with committed():
        golive.rollback(release)
    data = api.data(QUERY, {"account": sms_account.code, "since": 0})
    assert data["bundle"]["release"]["code"] == release.code
    assert data["bundle"]["release"]["rollback"] is True
    last = data["changes"]["edges"][-1]["node"]
    assert last["release"]["rollback"] is True
