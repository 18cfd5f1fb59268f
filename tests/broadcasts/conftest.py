"""Fixtures of the mass-send tests: official accounts of branch SX-01 (its own and
its outlet's) on the WeChat emulator over HTTP, a live news group, a brand's follower
tag, and helpers that approve a broadcast through the real workflow."""

import os

import pytest

from content.models import ChannelAccount, NewsGroup, NewsGroupEntry
from content.workflows import ensure_approval_workflow
from tests.support.content import committed
from tests.support.factories import ChannelAccountFactory
from tests.support.publishing import fast_jobs, make_article
from tests.support.publishing import on_emulator as on_wechat_emulator
from wechat.emulator import mass as emulated_mass

os.environ.setdefault("WECHAT_EMULATOR_PORTS", "18940-18979")

from broadcasts.models import Broadcast


@pytest.fixture(autouse=True)
def quick_jobs(settings):
    fast_jobs(settings, max_failures=5)


def on_emulator(account, base_url):
    return on_wechat_emulator(account, base_url, app_id=f"wx{account.code.replace('-', '')}bc")


@pytest.fixture
def accounts(matrix, wechat_emulator):
    """The branch's account (service) and its outlet's (subscription), on the emulator."""
    branch = on_emulator(matrix["account_branch1"], wechat_emulator.base_url)
    outlet = on_emulator(
        ChannelAccountFactory(code="wx-sx-01-01", organisation=matrix["outlet"]),
        wechat_emulator.base_url,
    )
    outlet.official_kind = ChannelAccount.OfficialKind.SUBSCRIPTION
    outlet.save()
    with wechat_emulator.state.lock:
        emulated_mass.book(wechat_emulator.state, outlet.app_id)["kind"] = (
            "subscription"
        )
    return {"branch": branch, "outlet": outlet}


def followers(emulator, account, rows):
    """Set the account's followers on the emulator: [(openid, [tag ids], fails)]."""
    with emulator.state.lock:
        emulated_mass.book(emulator.state, account.app_id)["followers"] = {
            openid: {"tags": list(tags), "fails": fails} for openid, tags, fails in rows
        }


def first_follower(emulator, account):
    with emulator.state.lock:
        return next(
            iter(emulated_mass.book(emulator.state, account.app_id)["followers"])
        )


@pytest.fixture
def news_group(matrix):
    """A live news group of two live articles of the branch (published without pushing)."""
    branch = matrix["branch1"]
    articles = [
        make_article(branch, code="ART-BC1", title="五一流量包上线"),
        make_article(branch, code="ART-BC2", title="宽带提速"),
    ]
    group = NewsGroup.objects.create(
        code="GRP-BC", title="五一专题", organisation=branch
    )
    for n, article in enumerate(articles):
        NewsGroupEntry.objects.create(group=group, article=article, sort_order=n)
    group.save_revision().publish()
    group.refresh_from_db()
    return group


def make_broadcast(org, accounts, **fields):
    fields.setdefault("title", "五一群发")
    # As the admin creates it: a draft until approved.
    broadcast = Broadcast(organisation=org, live=False, **fields)
    broadcast.accounts = list(accounts)
    broadcast.save()
    return broadcast


def approve(broadcast, editor, publisher):
    """Submit the latest content for review and approve it (Wagtail's workflow, the project's task)."""
    ensure_approval_workflow()
    broadcast.save_revision(user=editor)
    broadcast.get_workflow().start(broadcast, editor)
    broadcast = Broadcast.objects.get(pk=broadcast.pk)
    task_state = broadcast.current_workflow_task_state
    with committed():
        task_state.task.specific.on_action(task_state, publisher, "approve")
    return Broadcast.objects.get(pk=broadcast.pk)
