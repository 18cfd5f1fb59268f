"""The change log: one row per reached account on publish, unpublish and delete,
withdrawals when reach narrows or a code changes, monotonic versions."""

from types import SimpleNamespace

import pytest

from content.models import Package
from menus.signals import menu_version_published
from publishing.changes.models import Change
from publishing.changes.services import changes_since, current_version, latest_version
from tests.support.content import bind_command, committed, publish, unpublish
from tests.support.factories import PackageFactory, SmsTemplateFactory

pytestmark = pytest.mark.django_db


def rows(code):
    return sorted((c.account.code, c.action) for c in Change.objects.filter(code=code).select_related("account"))


def test_publish_records_an_upsert_for_every_account_the_item_reaches(matrix):
    # given a package sold in branch SX-01 (its account, and the province's, carry it)
    # when it is published
    PackageFactory(code="PKG001", organisation=matrix["branch1"], published=True)
    # then each reached account got one upsert, the sibling branch none
    assert rows("PKG001") == [("wx-sx", "upsert"), ("wx-sx-01", "upsert")]


def test_saving_a_draft_records_nothing(matrix):
    # given / when a package is only drafted
    item = PackageFactory(code="PKG002", organisation=matrix["branch1"], live=False)
    with committed():
        item.save_revision()
    # then
    assert rows("PKG002") == []


def test_unpublish_withdraws_the_item_from_the_accounts_that_carried_it(matrix):
    # given
    item = PackageFactory(code="PKG003", organisation=matrix["branch1"], published=True)
    # when
    unpublish(item)
    # then
    assert rows("PKG003") == [("wx-sx", "unpublish"), ("wx-sx", "upsert"), ("wx-sx-01", "unpublish"), ("wx-sx-01", "upsert")]


def test_delete_is_recorded_for_the_accounts_that_carried_the_item(matrix):
    # given
    item = PackageFactory(code="PKG004", organisation=matrix["branch1"], published=True)
    # when
    with committed():
        Package.objects.get(pk=item.pk).delete()
    # then
    deletes = [r for r in rows("PKG004") if r[1] == "delete"]
    assert deletes == [("wx-sx", "delete"), ("wx-sx-01", "delete")]


def test_moving_a_package_to_another_branch_unpublishes_it_from_the_first(matrix):
    # given a province package on sale in SX-01
    item = PackageFactory(code="PKG005", organisation=matrix["province"], sale_orgs=[matrix["branch1"]], published=True)
    # when it is republished on sale in SX-02 only
    item.sale_orgs.set([matrix["branch2"]])
    publish(item)
    # then SX-01's account is told to drop it, SX-02's to add it
    latest = {}
    for change in Change.objects.filter(code="PKG005").select_related("account").order_by("version"):
        latest[change.account.code] = change.action
    assert latest == {"wx-sx": "upsert", "wx-sx-01": "unpublish", "wx-sx-02": "upsert"}


def test_renaming_a_code_deletes_the_old_code_where_it_was_carried(matrix):
    # given
    item = PackageFactory(code="PKG006", organisation=matrix["branch1"], published=True)
    # when
    item.code = "PKG006B"
    publish(item)
    # then
    assert [r for r in rows("PKG006") if r[1] == "delete"] == [("wx-sx", "delete"), ("wx-sx-01", "delete")]
    assert rows("PKG006B") == [("wx-sx", "upsert"), ("wx-sx-01", "upsert")]


def test_versions_grow_in_publish_order(matrix):
    # given / when two packages are published one after the other
    PackageFactory(code="PKG007", organisation=matrix["branch1"], published=True)
    PackageFactory(code="PKG008", organisation=matrix["branch1"], published=True)
    # then every version of the second is above every version of the first
    first = Change.objects.filter(code="PKG007").values_list("version", flat=True)
    second = Change.objects.filter(code="PKG008").values_list("version", flat=True)
    assert max(first) < min(second)
    assert latest_version() == max(second)


def test_changes_since_returns_later_changes_oldest_first_up_to_the_limit(matrix):
    # given
    account = matrix["account_branch1"]
    PackageFactory(code="PKG009", organisation=matrix["branch1"], published=True)
    start = current_version(account)
    for code in ("PKG010", "PKG011", "PKG012"):
        PackageFactory(code=code, organisation=matrix["branch1"], published=True)
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
    template = SmsTemplateFactory(code="TPL001", organisation=matrix["branch1"], published=True)
    # when a command is bound by hand on the province's SMS hall
    bind_command(sms_accounts["province"], "C123", template)
    # then
    assert rows("C123") == [("sms-sx", "upsert")]


def test_a_published_menu_version_is_recorded_for_its_account(matrix):
    # given the menus app announcing a published version
    menu = SimpleNamespace(pk=41, code="MENU-SX-01", account=matrix["account_branch1"])
    # when
    with committed():
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
    first = SmsTemplateFactory(code="TPL-1", organisation=matrix["branch1"], published=True)
    SmsTemplate.objects.create(code="TPL-BULK", organisation=matrix["branch1"], category="reply", text="批量",
                               live=True, last_published_at=timezone.now())
    SmsTemplate.objects.filter(pk=first.pk).update(live=False)
    bulk = SmsTemplate.objects.get(code="TPL-BULK")
    SmsCommand.objects.bulk_create([SmsCommand(account=sms_accounts["branch1"], command="CXPL", template=bulk)])
    # when
    with committed():
        written = resync()
    # then the SMS accounts that reach them are told, and a second run has nothing to add
    assert sorted((c.account.code, c.code, c.action) for c in written) == [
        ("sms-sx", "TPL-1", "unpublish"), ("sms-sx", "TPL-BULK", "upsert"),
        ("sms-sx-01", "CXPL", "upsert"), ("sms-sx-01", "TPL-1", "unpublish"), ("sms-sx-01", "TPL-BULK", "upsert"),
    ]
    with committed():
        assert resync() == []


def test_publishing_a_template_records_the_commands_it_binds(matrix, sms_accounts):
    # given / when a template answering two commands is published (the content app binds
    # them on the SMS account serving the branch)
    SmsTemplateFactory(code="TPL-CMD", organisation=matrix["branch1"], commands=["CXLL", "CXYE"], published=True)
    # then the bindings are in the log of that account
    assert rows("CXLL") == [("sms-sx-01", "upsert")] and rows("CXYE") == [("sms-sx-01", "upsert")]
