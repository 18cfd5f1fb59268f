"""The change log: one row per reached account on publish, unpublish and delete,
withdrawals when reach narrows or a code changes, monotonic versions."""

from types import SimpleNamespace

import pytest

from content.models import Package
from menus.signals import menu_version_published
from publishing.changes.models import Change
from publishing.changes.services import changes_since, current_version, latest_version
from tests.graphql_api import factories as f

pytestmark = pytest.mark.django_db


def rows(code):
    return sorted((c.account.code, c.action) for c in Change.objects.filter(code=code).select_related("account"))


def test_publish_records_an_upsert_for_every_account_the_item_reaches(matrix):
    # given a package sold in branch SX-01 (its account, and the province's, carry it)
    # when it is published
    f.package("PKG001", matrix["branch1"])
    # then each reached account got one upsert, the sibling branch none
    assert rows("PKG001") == [("wx-sx", "upsert"), ("wx-sx-01", "upsert")]


def test_saving_a_draft_records_nothing(matrix):
    # given / when a package is only drafted
    item = f.package("PKG002", matrix["branch1"], live=False)
    with f.committed():
        item.save_revision()
    # then
    assert rows("PKG002") == []


def test_unpublish_withdraws_the_item_from_the_accounts_that_carried_it(matrix):
    # given
    item = f.package("PKG003", matrix["branch1"])
    # when
    f.unpublish(item)
    # then
    assert rows("PKG003") == [("wx-sx", "unpublish"), ("wx-sx", "upsert"), ("wx-sx-01", "unpublish"), ("wx-sx-01", "upsert")]


def test_delete_is_recorded_for_the_accounts_that_carried_the_item(matrix):
    # given
    item = f.package("PKG004", matrix["branch1"])
    # when
    with f.committed():
        Package.objects.get(pk=item.pk).delete()
    # then
    deletes = [r for r in rows("PKG004") if r[1] == "delete"]
    assert deletes == [("wx-sx", "delete"), ("wx-sx-01", "delete")]


def test_moving_a_package_to_another_branch_unpublishes_it_from_the_first(matrix):
    # given a province package on sale in SX-01
    item = f.package("PKG005", matrix["province"], sale_orgs=[matrix["branch1"]])
    # when it is republished on sale in SX-02 only
    item.sale_orgs.set([matrix["branch2"]])
    f.publish(item)
    # then SX-01's account is told to drop it, SX-02's to add it
    latest = {}
    for change in Change.objects.filter(code="PKG005").select_related("account").order_by("version"):
        latest[change.account.code] = change.action
    assert latest == {"wx-sx": "upsert", "wx-sx-01": "unpublish", "wx-sx-02": "upsert"}


def test_renaming_a_code_deletes_the_old_code_where_it_was_carried(matrix):
    # given
    item = f.package("PKG006", matrix["branch1"])
    # when
    item.code = "PKG006B"
    f.publish(item)
    # then
    assert [r for r in rows("PKG006") if r[1] == "delete"] == [("wx-sx", "delete"), ("wx-sx-01", "delete")]
    assert rows("PKG006B") == [("wx-sx", "upsert"), ("wx-sx-01", "upsert")]


def test_versions_grow_in_publish_order(matrix):
    # given / when two packages are published one after the other
    f.package("PKG007", matrix["branch1"])
    f.package("PKG008", matrix["branch1"])
    # then every version of the second is above every version of the first
    first = Change.objects.filter(code="PKG007").values_list("version", flat=True)
    second = Change.objects.filter(code="PKG008").values_list("version", flat=True)
    assert max(first) < min(second)
    assert latest_version() == max(second)


def test_changes_since_returns_later_changes_oldest_first_up_to_the_limit(matrix):
    # given
    account = matrix["account_branch1"]
    f.package("PKG009", matrix["branch1"])
    start = current_version(account)
    for code in ("PKG010", "PKG011", "PKG012"):
        f.package(code, matrix["branch1"])
    # when
    changes = changes_since(account, start, limit=2)
    # then
    assert [c["code"] for c in changes] == ["PKG010", "PKG011"]
    assert changes[0]["version"] < changes[1]["version"]
    assert set(changes[0]) == {"version", "kind", "code", "action", "createdAt"}
    assert [c["code"] for c in changes_since(account.code, changes[1]["version"])] == ["PKG012"]


def test_current_version_is_zero_before_the_first_change(matrix):
    assert current_version(matrix["account_branch2"]) == 0


def test_binding_an_sms_command_records_it_for_the_account(matrix, sms_accounts):
    # given
    template = f.sms_template("TPL001", matrix["branch1"])
    # when a command is bound by hand on the province's SMS hall
    f.sms_command(sms_accounts["province"], "C123", template)
    # then
    assert rows("C123") == [("sms-sx", "upsert")]


def test_a_published_menu_version_is_recorded_for_its_account(matrix):
    # given the menus app announcing a published version
    menu = SimpleNamespace(pk=41, code="MENU-SX-01", account=matrix["account_branch1"])
    # when
    with f.committed():
        menu_version_published.send(sender=None, version=SimpleNamespace(pk=1), menu=menu, account=menu.account)
    # then
    change = Change.objects.get(code="MENU-SX-01")
    assert (change.kind, change.account.code, change.action, change.object_id) == ("menu", "wx-sx-01", "upsert", 41)


def test_resync_records_bulk_published_items_and_withdraws_what_no_longer_reaches(matrix, sms_accounts):
    from django.utils import timezone

    from content.models import SmsCommand, SmsTemplate
    from publishing.changes.services import resync

    # given a template published through the admin, then a bulk write (no signals)
    # that adds one template and withdraws the first
    first = f.sms_template("TPL-1", matrix["branch1"])
    SmsTemplate.objects.create(code="TPL-BULK", organisation=matrix["branch1"], category="reply", text="批量",
                               live=True, last_published_at=timezone.now())
    SmsTemplate.objects.filter(pk=first.pk).update(live=False)
    bulk = SmsTemplate.objects.get(code="TPL-BULK")
    SmsCommand.objects.bulk_create([SmsCommand(account=sms_accounts["branch1"], command="CXPL", template=bulk)])
    # when
    with f.committed():
        written = resync()
    # then the SMS accounts that reach them are told, and a second run has nothing to add
    assert sorted((c.account.code, c.code, c.action) for c in written) == [
        ("sms-sx", "TPL-1", "unpublish"), ("sms-sx", "TPL-BULK", "upsert"),
        ("sms-sx-01", "CXPL", "upsert"), ("sms-sx-01", "TPL-1", "unpublish"), ("sms-sx-01", "TPL-BULK", "upsert"),
    ]
    with f.committed():
        assert resync() == []


def test_publishing_a_template_records_the_commands_it_binds(matrix, sms_accounts):
    # given / when a template answering two commands is published (the content app binds
    # them on the SMS account serving the branch)
    f.sms_template("TPL-CMD", matrix["branch1"], commands=["CXLL", "CXYE"])
    # then the bindings are in the log of that account
    assert rows("CXLL") == [("sms-sx-01", "upsert")] and rows("CXYE") == [("sms-sx-01", "upsert")]
