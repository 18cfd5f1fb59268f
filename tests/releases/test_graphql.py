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


PAGE = """
query Page($account: String!, $since: BigInt!, $after: String) {
  changes(account: $account, since: $since, first: 1, after: $after) {
    edges { cursor node { version code release { code } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def test_a_page_of_the_change_feed_never_ends_inside_a_release(release, sms_account, api, matrix):
    from content.models import SmsTemplate
    from tests.support.content import publish

    since = int(api.data(QUERY, {"account": sms_account.code, "since": 0})["bundle"]["version"])
    release = go_live_now(release)
    # and a lone change after the release
    lone = SmsTemplate.objects.get(code="SMS-5G-58")
    lone.text = "尊敬的客户,资费已调整,余额{balance}元,截至{date}。"
    publish(lone)
    # when a front end reads the feed a page of one change at a time
    first = api.data(PAGE, {"account": sms_account.code, "since": since})["changes"]
    # then the first page holds the whole release, however many rows, and says more follow
    nodes = [edge["node"] for edge in first["edges"]]
    release_rows = [n for n in nodes if n["release"]]
    assert len(nodes) > 1 and len(release_rows) == len(nodes)
    assert {n["code"] for n in nodes} >= {"SMS-5G-58", "SMS-5G-58-KT", "PKG-5G-58"}
    assert first["pageInfo"]["hasNextPage"] is True
    # and the next page is the lone change, of one row, with nothing after it
    second = api.data(PAGE, {"account": sms_account.code, "since": since,
                             "after": first["pageInfo"]["endCursor"]})["changes"]
    assert [(e["node"]["code"], e["node"]["release"]) for e in second["edges"]] == [("SMS-5G-58", None)]
    assert second["pageInfo"]["hasNextPage"] is False
