"""Rollback: every item back to its previous live revision (what the release created
is unpublished), as one release version in the change feed; refused with a clear
message once a later release (or a lone publish) changed the same items."""

import pytest
from django.core.exceptions import ValidationError

from content.models import Article, Package, SmsTemplate
from publishing.changes.models import Change
from releases import golive, membership
from releases.models import Release, ReleaseRun

from .conftest import committed, edit_draft, go_live_now, make_release

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def roll_back(release):
    with committed():
        golive.rollback(release)
    return Release.objects.get(pk=release.pk)


def test_rollback_restores_every_item_and_unpublishes_what_the_release_created(
    release, tariff
):
    old_name = Package.objects.get(pk=tariff["package"].pk).name
    old_text = SmsTemplate.objects.get(code="SMS-5G-58").text
    release = go_live_now(release)
    # when the release is rolled back
    release = roll_back(release)
    # then the package and template serve their previous revisions, the new items are gone
    assert release.state == Release.State.ROLLED_BACK
    assert Package.objects.get(pk=tariff["package"].pk).name == old_name
    assert SmsTemplate.objects.get(code="SMS-5G-58").text == old_text
    assert not Article.objects.get(code="ART-5G-58").live
    assert not SmsTemplate.objects.get(code="SMS-5G-58-KT").live
    # and the drafts are kept: nothing an editor wrote is lost
    package = Package.objects.get(pk=tariff["package"].pk)
    assert package.has_unpublished_changes
    assert package.latest_revision.as_object().name == "5G畅享套餐(新资费)"
    # and the change feed holds the rollback as one version of the release
    rows = list(Change.objects.filter(release_code=release.code, release_rollback=True))
    assert {(row.code, row.action) for row in rows} >= {
        ("PKG-5G-58", "upsert"),
        ("ART-5G-58", "unpublish"),
        ("SMS-5G-58-KT", "unpublish"),
    }
    run = ReleaseRun.objects.get(release=release, action=ReleaseRun.Action.ROLLBACK)
    assert {row.release_version for row in rows} == {run.change_version}


def test_rollback_of_a_release_superseded_by_a_later_one_is_refused(
    matrix, release, tariff
):
    release = go_live_now(release)
    # given a later release changing the same package
    edit_draft(Package.objects.get(pk=tariff["package"].pk), name="5G畅享套餐(六月)")
    later = make_release(
        matrix["branch1"],
        code="R-2026-06",
        title="六月资费",
        items=["package:PKG-5G-58"],
    )
    go_live_now(later)
    # when the first release is rolled back
    with pytest.raises(ValidationError) as refused:
        golive.rollback(release)
    # then it is refused naming the package and the later release; nothing changed
    message = str(refused.value)
    assert (
        "PKG-5G-58" in message and "R-2026-06" in message and "新建上线计划" in message
    )
    assert Release.objects.get(pk=release.pk).state == Release.State.LIVE
    assert Package.objects.get(pk=tariff["package"].pk).name == "5G畅享套餐(六月)"


def test_rollback_after_an_item_was_published_on_its_own_is_refused(release, tariff):
    release = go_live_now(release)
    template = SmsTemplate.objects.get(code="SMS-5G-58")
    template.text = "尊敬的客户,余额{balance}元,截至{date}。"
    template.save_revision().publish()
    with pytest.raises(ValidationError) as refused:
        golive.rollback(release)
    assert "SMS-5G-58" in str(refused.value) and "单独发布" in str(refused.value)


def test_only_a_live_release_rolls_back(release):
    with pytest.raises(ValidationError) as refused:
        golive.rollback(release)
    assert "只能回滚已上线的计划" in str(refused.value)


def test_the_rollback_runs_once_however_often_its_job_is_delivered(release, tariff):
    release = go_live_now(release)
    roll_back(release)
    versions = Change.objects.filter(release_rollback=True).count()
    # when the rollback job is delivered again (a worker lost after commit)
    again = golive.roll_back(release.pk)
    # then it finds its run and writes nothing more
    assert again == ReleaseRun.objects.get(
        release=release, action=ReleaseRun.Action.ROLLBACK
    )
    assert Change.objects.filter(release_rollback=True).count() == versions
    assert membership.holder_of(Package.objects.get(pk=tariff["package"].pk)) is None


def test_a_rollback_job_hit_by_a_deadlock_runs_again_and_rolls_back(
    release, tariff, monkeypatch
):
    from django.db import OperationalError

    release = go_live_now(release)
    # given the rollback job's transaction dies once (a deadlock, a lost connection)
    real, calls = golive.roll_back, []

    def deadlocked_once(release_id, user=None):
        calls.append(release_id)
        if len(calls) == 1:
            raise OperationalError("deadlock detected")
        return real(release_id, user)

    monkeypatch.setattr(golive, "roll_back", deadlocked_once)
    # when the release is rolled back
    release = roll_back(release)
    # then the job ran again and the release is rolled back, not left rolling back
    assert len(calls) == 2
    assert release.state == Release.State.ROLLED_BACK


def test_rolling_back_a_release_that_created_a_wechat_menu_deletes_it_from_the_account(
    matrix, wechat_accounts, wechat_emulator
):
    from tests.support.menus import make_menu, node

    account = wechat_accounts["wx-sx-01"]
    make_menu(account, [node("1", "新资费", "click", event_key="NEW-TARIFF")], code="menu-wx-sx-01")
    release = go_live_now(make_release(matrix["branch1"], code="R-MENU", items=["menu:menu-wx-sx-01"]))
    assert wechat_emulator.state.snapshot()["menus"][account.app_id]["menu"]["button"][0]["name"] == "新资费"
    # when the release that created the menu is rolled back
    roll_back(release)
    # then the account's followers no longer see it
    assert wechat_emulator.state.snapshot()["menus"][account.app_id] == {"menu": None, "conditional": []}
