"""One import run: every list of the export in dependency order, in one
transaction (rolled back at the end of a dry run)."""

import logging

from django.db import transaction

from .articles import ArticlesList
from .catalogue import BusinessesList, PackagesList
from .context import ImportContext
from .export import LISTS, LegacyExport
from .images import import_images
from .matrix import import_brands, import_channel_accounts, import_organisations
from .menus import import_menus
from .progress import SilentProgress
from .report import ImportReport
from . import outbox
from .signals import legacy_import_finished
from .tasks import complete_side_effects
from .sms import SmsTemplatesList
from .wechat import KeywordRepliesList, TemplateMessagesList

logger = logging.getLogger(__name__)


def _editorial(list_class):
    return lambda ctx, records: list_class(ctx).run(records)


IMPORTERS = {
    "organisations": import_organisations,
    "brands": import_brands,
    "channel_accounts": import_channel_accounts,
    "template_messages": _editorial(TemplateMessagesList),
    "packages": _editorial(PackagesList),
    "businesses": _editorial(BusinessesList),
    "images": import_images,
    "sms_templates": _editorial(SmsTemplatesList),
    "menus": import_menus,
    "keyword_replies": _editorial(KeywordRepliesList),
    "articles": _editorial(ArticlesList),
}


def import_export(export_dir, *, dry_run=False, org=None, user=None, progress=None, push=False):
    """Import the legacy export in ``export_dir``; returns the ImportReport.

    Nothing goes to a live channel unless ``push``: then the menu versions the run
    publishes are pushed to their accounts. Side effects (change log, pushes, reply
    tables) are owed in the run's transaction and completed after commit
    (``importing.outbox``); what earlier runs still owed is completed first.

    Raises ValidationError when the folder is not a readable export (or ``org``
    is not in it); refused records are in the report, not raised."""
    export = LegacyExport.read(export_dir)
    if org:
        export = export.restricted_to(org)
    report = ImportReport(dry_run=dry_run)
    ctx = ImportContext(export=export, report=report, progress=progress or SilentProgress(), user=user, dry_run=dry_run,
                        push=push)
    if not dry_run:
        # A run killed right after its commit left its side effects owed: complete them.
        report.completed_earlier = outbox.drain()
    try:
        with transaction.atomic():
            for name in LISTS:
                IMPORTERS[name](ctx, export.lists[name])
            _owe_side_effects(ctx)
            if dry_run:
                transaction.set_rollback(True)
            else:
                transaction.on_commit(_complete_side_effects)
                transaction.on_commit(
                    lambda: legacy_import_finished.send(sender=import_export, report=report, changed=ctx.changed)
                )
    except BaseException:
        _forget_files(ctx)
        raise
    return report


def _owe_side_effects(ctx):
    """What the committed run owes beyond its rows (menu versions owed theirs already)."""
    if any(counts["created"] or counts["updated"] for counts in ctx.report.counts.values()):
        ctx.owe(outbox.CHANGE_LOG)
        ctx.owe(outbox.REPLY_TABLES)


def _complete_side_effects():
    """After commit: hand the effects to the worker, and complete them here too (the
    first to lock an effect completes it; a killed process leaves them to the next)."""
    try:
        complete_side_effects.delay()
    except Exception:  # no broker now: a re-run or beat completes them
        logger.warning("could not queue importing.complete_side_effects", exc_info=True)
    outbox.drain()


def _forget_files(ctx):
    """Files uploaded by a run whose rows were rolled back would be orphans."""
    from media.models import LibraryImage

    storage = LibraryImage._meta.get_field("file").storage
    for name in ctx.stored_files:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("could not delete %s after a failed import", name)
