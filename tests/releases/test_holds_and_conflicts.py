"""Items in an open release wait for it: they are refused when published alone (the
edit page's publish, a workflow approval, the ``publish`` command), and a second open
release cannot take them. A branch editor adds only items they may edit."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from content.models import Package
from releases import membership
from releases.models import Release

from .conftest import go_live_now, make_release

pytestmark = [pytest.mark.django_db]


def test_an_item_in_an_open_release_cannot_be_published_on_its_own(release, tariff):
    package = tariff["package"]
    # when an editor publishes the package's draft directly
    with pytest.raises(ValidationError) as refused:
        package.latest_revision.publish()
    # then it is refused naming the package and the release, and the live row is unchanged
    assert "PKG-5G-58" in str(refused.value) and release.code in str(refused.value)
    assert Package.objects.get(pk=package.pk).name != "5G畅享套餐(新资费)"


def test_the_publish_command_refuses_an_item_held_by_a_release(release, tariff):
    with pytest.raises(CommandError) as refused:
        call_command("publish", "package", "PKG-5G-58")
    assert release.code in str(refused.value)


def test_a_workflow_approval_of_a_held_item_is_refused(release, tariff, superuser):
    from content.workflows import ensure_approval_workflow

    # given the package submitted to the approval workflow on its own
    workflow = ensure_approval_workflow()
    package = Package.objects.get(pk=tariff["package"].pk)
    package.save_revision(user=superuser)
    workflow.start(package, superuser)
    package.refresh_from_db()
    task_state = package.current_workflow_task_state
    # when the publisher approves it
    with pytest.raises(ValidationError) as refused:
        package.current_workflow_task.on_action(task_state, superuser, "approve")
    # then the approval is refused: the package goes live with its release
    assert release.code in str(refused.value)
    assert not Package.objects.get(pk=package.pk).name.startswith("5G畅享套餐(新资费)")


def test_once_the_release_went_live_its_items_are_free_again(release, tariff):
    go_live_now(release)
    package = Package.objects.get(pk=tariff["package"].pk)
    package.name = "5G畅享套餐(再次调整)"
    package.save_revision().publish()
    assert Package.objects.get(pk=package.pk).name == "5G畅享套餐(再次调整)"


def test_a_second_open_release_cannot_take_an_item_the_first_holds(matrix, release):
    other = make_release(matrix["branch1"], code="R-2026-06", title="六月活动")
    with pytest.raises(ValidationError) as refused:
        membership.add(other, ["article:ART-NEW-1", "package:PKG-5G-58"][1:])
    message = str(refused.value)
    assert "package:PKG-5G-58" in message and release.code in message
    assert not other.items.exists()


def test_adding_is_all_or_nothing_and_names_the_bad_reference(matrix, release, tariff):
    other = make_release(matrix["branch1"], code="R-2026-06", title="六月活动")
    with pytest.raises(ValidationError) as refused:
        membership.add(other, ["menu:NO-SUCH-MENU"])
    assert "menu:NO-SUCH-MENU" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        membership.add(other, ["gadget:X1"])
    assert "gadget" in str(refused.value)
    assert not other.items.exists()


def test_a_branch_editor_adds_only_items_they_may_edit(matrix, sibling_editor, tariff):
    # given a release of the sibling branch SX-02
    release = make_release(matrix["branch2"], code="R-SX02", title="宝鸡活动")
    # when its editor tries to add a package of branch SX-01
    with pytest.raises(ValidationError) as refused:
        membership.add(release, ["package:PKG-5G-58"], user=sibling_editor)
    assert "package:PKG-5G-58" in str(refused.value)
    assert not release.items.exists()


def test_a_branch_editor_sees_only_their_organisations_releases(
    matrix, branch_editor, sibling_editor
):
    from content.permissions import scope_for_user, visible

    make_release(matrix["branch1"], code="R-SX01", title="西安活动")
    make_release(matrix["branch2"], code="R-SX02", title="宝鸡活动")
    seen = visible(Release.objects.all(), scope_for_user(sibling_editor)).values_list(
        "code", flat=True
    )
    assert list(seen) == ["R-SX02"]


def test_a_release_under_way_takes_no_more_items(matrix, release, tariff):
    from tests.support.factories import PackageFactory

    go_live_now(release)
    PackageFactory(code="PKG-LATE", organisation=matrix["branch1"])
    with pytest.raises(ValidationError) as refused:
        membership.add(release, ["package:PKG-LATE"])
    assert "R-2026-05" in str(refused.value)
