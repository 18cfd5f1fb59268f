"""Side effects of an import, recorded in the import's transaction and completed
after it commits (an outbox).

A committed import owes the change log its rows, menu versions their change rows
(and their pushes when ``--push`` asked), the callback its reply tables. Done in
``on_commit`` callbacks they were lost when the process died right after the
commit, and a re-run found the data unchanged and never repaired them. Here each
one is a ``PendingEffect`` row written with the data; whoever comes next completes
it: the import itself after commit, a re-run before it starts, the worker
(``importing.complete_side_effects``, queued after commit and run by beat). Each
effect runs in the transaction that deletes its row, so it happens once.

The apps above register what each kind does (``register``): importing sits below
publishing and the callback and cannot call them."""

import logging

from django.db import transaction

from .models import PendingEffect

logger = logging.getLogger(__name__)

# Kinds of effect; their handlers are registered by the apps that own the work.
CHANGE_LOG = "change_log"  # resync the change log with what is published
MENU_CHANGE = "menu_change"  # a menu version's change row: menu_id, account_id
MENU_PUSH = "menu_push"  # push a menu version to its account: version_id, account_id
REPLY_TABLES = "reply_tables"  # rebuild the WeChat reply tables

_handlers = {}


def register(kind, handler):
    """``handler(**args)`` completes effects of ``kind``; it must write in the
    current transaction (work for later goes through ``transaction.on_commit``)."""
    _handlers[kind] = handler


def record(kind, **args):
    """Owe an effect: written in the current transaction, so it commits (or rolls back) with the data."""
    return PendingEffect.objects.create(kind=kind, args=args)


def pending():
    """{kind: count} of the effects still owed."""
    counts = {}
    for kind in PendingEffect.objects.values_list("kind", flat=True):
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def drain():
    """Complete every owed effect, oldest first, each in its own transaction with
    the deletion of its row; one another process holds is left to it. Returns
    {kind: count} of the effects completed."""
    done = {}
    for pk in list(PendingEffect.objects.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                effect = PendingEffect.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
                if effect is None:
                    continue  # completed or taken by another process
                handler = _handlers.get(effect.kind)
                if handler is None:
                    logger.warning("no handler for import side effect %s (%s)", effect.kind, effect.pk)
                    continue
                handler(**effect.args)
                effect.delete()
        except Exception:
            # Kept for the next drain (a re-run, the worker, beat); the others go on.
            logger.exception("import side effect %s failed; it stays pending", pk)
            continue
        done[effect.kind] = done.get(effect.kind, 0) + 1
    return done
