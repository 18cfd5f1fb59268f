"""The change log's services: record published changes, read them back by version,
and build bundles (``build_bundle`` / ``bundle_delta`` live in ``bundle.py``).

Versions are global and monotonic. Writers take one lock around insert and
commit, so versions become visible in order and a reader that stored version V
never misses a change with a smaller version committed later."""

from contextlib import contextmanager

from django.db import connection, transaction

from api import budget, reused_sql
from content import kinds
from content.kinds import item_code
from content.models import AutoReply, ChannelAccount, SmsCommand, SmsTemplate
from content.reach import target_accounts
from content.services.replies import slot_neighbours
from publishing.changes.models import Change
from publishing.changes.signals import changes_recorded

# pg_advisory_xact_lock key of change-log writers ("CHNG").
WRITER_LOCK = 0x43484E47

Action = Change.Action
Kind = Change.Kind


def _account_id(account):
    if isinstance(account, ChannelAccount):
        return account.pk
    if isinstance(account, str):
        return ChannelAccount.objects.values_list("pk", flat=True).get(code=account)
    return int(account)


def _serialize_writers():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITER_LOCK])


def lock_writers():
    """Hold the writer lock until the caller's transaction ends: a release takes it
    before publishing its items, so readers holding ``read_consistently`` see the
    release's items and rows all together or not at all."""
    _serialize_writers()


def read_consistently():
    """Wait out a release being written and keep it out until the caller's transaction
    ends (a shared hold of the writer lock): a change page or bundle then never shows
    half a release. An API request runs in autocommit: the rest of it becomes one
    transaction (api.budget). Outside a transaction the hold ends with the statement."""
    budget.one_transaction()
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [WRITER_LOCK])


@contextmanager
def consistent_read():
    """A block that reads the change log and live items as of one release boundary
    (``read_consistently``, in a transaction of its own when there is none)."""
    if connection.in_atomic_block:
        read_consistently()
        yield
        return
    with transaction.atomic():
        read_consistently()
        yield


def _carried(kind, object_id):
    """(account id, code) pairs whose latest change of this object is an upsert."""
    latest = {}
    rows = Change.objects.filter(kind=kind, object_id=object_id).order_by("version")
    for account_id, code, action in rows.values_list("account_id", "code", "action"):
        latest[(account_id, code)] = action
    return {pair for pair, action in latest.items() if action == Action.UPSERT}


def _write(rows):
    """Insert rows (account_id, kind, code, object_id, action) under the writer lock."""
    if not rows:
        return []
    with transaction.atomic():
        _serialize_writers()
        created = Change.objects.bulk_create(
            [Change(account_id=a, kind=k, code=c, object_id=o, action=act) for a, k, c, o, act in rows]
        )
    transaction.on_commit(lambda: changes_recorded.send(sender=Change, changes=created))
    return created


def _reconcile_rows(kind, object_id, code, target_ids, action):
    """The rows of ``reconcile`` (read under the writer lock, not written)."""
    carried = _carried(kind, object_id)
    rows = [(a, kind, code, object_id, action) for a in sorted(set(target_ids))]
    for account_id, old_code in sorted(carried):
        if old_code != code:
            rows.append((account_id, kind, old_code, object_id, Action.DELETE))
        elif account_id not in target_ids and action == Action.UPSERT:
            rows.append((account_id, kind, code, object_id, Action.UNPUBLISH))
        elif account_id not in target_ids:
            rows.append((account_id, kind, code, object_id, action))
    return rows


def reconcile(kind, object_id, code, target_ids, action):
    """Record ``action`` for the accounts an object now reaches, and withdraw it from
    accounts that carried it before but no longer do (or knew it by an old code)."""
    with transaction.atomic():
        _serialize_writers()
        return _write(_reconcile_rows(kind, object_id, code, target_ids, action))


def _item_rows(model, pk, withdrawn=False):
    """Rows for an item as it stands: upserts where a live item reaches (with a live
    template's command bindings), unpublishes where it went dark (or was ``withdrawn``)."""
    kind = kinds.kind_of(model).code
    item = model._default_manager.filter(pk=pk).first()
    if item is None:
        return []
    targets = set(target_accounts(item).values_list("pk", flat=True))
    action = Action.UNPUBLISH if withdrawn or not item.live else Action.UPSERT
    rows = _reconcile_rows(kind, pk, item_code(item), targets, action)
    if model is SmsTemplate:
        # The content app binds a published template's commands in bulk (no save signals);
        # withdrawn, its bindings stay reserved but no longer answer (a brand's customers
        # fall back to the default): the bundle delta re-reads each command.
        for binding in SmsCommand.objects.filter(template_id=pk).order_by("pk"):
            rows += _reconcile_rows(Kind.SMS_COMMAND, binding.pk, binding.command, {binding.account_id}, action)
    return rows + _slot_neighbour_rows(item)


def record_publication(model, pk):
    """After an item's publish commits: upsert for every account it reaches."""
    with transaction.atomic():
        _serialize_writers()
        return _write(_item_rows(model, pk))


def record_unpublication(model, pk):
    with transaction.atomic():
        _serialize_writers()
        return _write(_item_rows(model, pk, withdrawn=True))


def record_group(group):
    """Write a release's rows (publishing.changes.grouping) in the caller's
    transaction, under the writer lock: every row carries the release's code and the
    highest version among them. Listeners hear of them once, after commit."""
    with transaction.atomic():
        _serialize_writers()
        rows = []
        for model, pk in dict.fromkeys(group.published + group.unpublished):
            rows += _item_rows(model, pk)
        for code, menu_id, account_ids, _version_id in group.menus:
            rows += _reconcile_rows(Kind.MENU, menu_id, code, set(account_ids), Action.UPSERT)
        created = Change.objects.bulk_create(
            [Change(account_id=a, kind=k, code=c, object_id=o, action=act, release_code=group.code,
                    release_rollback=group.rollback) for a, k, c, o, act in rows]
        )
        if created:
            top = max(change.version for change in created)
            Change.objects.filter(pk__in=[change.pk for change in created]).update(release_version=top)
            for change in created:
                change.release_version = top
    transaction.on_commit(lambda: changes_recorded.send(sender=Change, changes=created) if created else None)
    return created


def latest_release(account, version):
    """(code, version, rollback) of the last release an account's feed holds at
    ``version``, or None."""
    return (
        Change.objects.filter(account_id=_account_id(account), version__lte=version)
        .exclude(release_code="")
        .order_by("-version")
        .values_list("release_code", "release_version", "release_rollback")
        .first()
    )


def _slot_neighbour_rows(item):
    """A reply rule published or withdrawn hides or reveals the shared rules of its
    slot on some accounts (content.services.replies): rows for only those moves
    (read under the caller's writer lock)."""
    if not isinstance(item, AutoReply):
        return []
    rows = []
    for rule in slot_neighbours(item):
        targets = set(target_accounts(rule).values_list("pk", flat=True))
        carried = {account_id for account_id, code in _carried(Kind.AUTO_REPLY, rule.pk)}
        code = item_code(rule)
        rows += [(a, Kind.AUTO_REPLY, code, rule.pk, Action.UPSERT) for a in sorted(targets - carried)]
        rows += [(a, Kind.AUTO_REPLY, code, rule.pk, Action.UNPUBLISH) for a in sorted(carried - targets)]
    return rows


def record_deletion(kind, pk, code, target_ids):
    """After a delete commits; ``target_ids`` were taken before the rows went."""
    return reconcile(kind, pk, code, set(target_ids), Action.DELETE)


def record_menu(menu_code, menu_id, account_id):
    """A menu version was published for an account."""
    return reconcile(Kind.MENU, menu_id, menu_code, {account_id}, Action.UPSERT)


def record_menu_served(menu_code, menu_id, account_ids):
    """A menu's accounts (its own and those it is rolled out to) changed or its version
    did: upsert for each, withdrawn from accounts it no longer serves."""
    return reconcile(Kind.MENU, menu_id, menu_code, set(account_ids), Action.UPSERT)


def record_sms_command(command_id, command, account_id, action):
    return reconcile(Kind.SMS_COMMAND, command_id, command, {account_id}, action)


def record_items(model, items, action=Action.UPSERT):
    """Record many items at once (importers): one reconcile per item, one lock each."""
    kind, out = kinds.kind_of(model).code, []
    for item in items:
        targets = set(target_accounts(item).values_list("pk", flat=True)) if action != Action.DELETE else set()
        out += reconcile(kind, item.pk, item_code(item), targets, action)
    return out


def _as_dict(row):
    version, kind, code, action, created_at = row
    return {"version": version, "kind": kind, "code": code, "action": action, "createdAt": created_at.isoformat()}


def change_rows(account, since, limit=None):
    """Change rows of the account after version ``since``, oldest first."""
    rows = Change.objects.filter(account_id=_account_id(account), version__gt=since).order_by("version")
    return rows[:limit] if limit is not None else rows


def changes_since(account, since, limit=None):
    """What changed for the account after version ``since``: dicts with version,
    kind, code, action (upsert, unpublish, delete) and createdAt, oldest first."""
    rows = change_rows(account, since, limit).values_list("version", "kind", "code", "action", "created_at")
    return [_as_dict(row) for row in rows]


def _latest_version_of(account_id):
    return Change.objects.filter(account_id=account_id).order_by("-version").values_list("version", flat=True)[:1]


def current_version(account):
    """The version of the account's latest change (0 before the first); its SQL
    compiled once per process (api.reused_sql)."""
    found = reused_sql.fetch(("current_version",), _latest_version_of, [_account_id(account)], Change)
    return found[0] if found else 0


def latest_version():
    """The highest version of all accounts (0 when the log is empty)."""
    return Change.objects.order_by("-version").values_list("version", flat=True).first() or 0


def resync(published_since=None):
    """Write what the log misses after a bulk publish (see resync.py)."""
    from publishing.changes.resync import resync as run

    return run(published_since)


def build_bundle(account, with_renditions=False):
    from publishing.changes.bundle import build_bundle as build

    return build(account, with_renditions)


def bundle_delta(account, since, with_renditions=False):
    from publishing.changes.bundle import bundle_delta as delta

    return delta(account, since, with_renditions)
