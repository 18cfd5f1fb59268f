"""A channel account's whole published configuration as one document, and the
part of it that changed since a version. Built from ``values()`` rows, a handful
of queries per kind whatever the number of items."""

from django.utils import timezone

from content import kinds
from content.models import Brand, ChannelAccount, SmsTemplate
from publishing.changes import documents
from publishing.changes.models import Change
from content.reach import audience_for, published
from publishing.changes.services import change_rows, consistent_read, current_version

BUNDLE_FORMAT = "channel-bundle/1"
DELTA_FORMAT = "channel-bundle-delta/1"


def _account(account):
    qs = ChannelAccount.objects.select_related("organisation")
    if isinstance(account, ChannelAccount):
        return qs.get(pk=account.pk)
    if isinstance(account, str):
        return qs.get(code=account)
    return qs.get(pk=account)


def account_document(account):
    """The public fields of a channel account; never its secrets."""
    return {
        "code": account.code,
        "name": account.name,
        "type": account.type,
        "organisation": account.organisation.code,
        "appId": account.app_id,
        "serviceNumber": account.service_number,
        "signature": account.signature,
        "optOutText": account.opt_out_text,
        "maxSegments": account.max_segments,
        "baseUrl": account.base_url,
    }


def menu_documents(account):
    """{"default": tree, brand code: tree of the brand's variant} of the account's
    published menus, from the menus app."""
    from menus.services import published_tree

    out = {}
    base = published_tree(account)
    if base is not None:
        out["default"] = base
    for brand in Brand.objects.order_by("code"):
        tree = published_tree(account, brand=brand)
        if tree is not None and tree != base:
            out[brand.code] = tree
    return out


def build_bundle(account):
    """The account's published configuration with the version it is current at.

    The version is read first: anything published while the bundle builds is
    then also in a later ``changes_since(version)``, so a client never misses it.
    A release is in it whole or not at all (``consistent_read``)."""
    with consistent_read():
        return _build_bundle(account)


def _build_bundle(account):
    account = _account(account)
    version = current_version(account)
    audience = audience_for([account])
    # What the account's channel type carries; the rest are empty.
    carried = {kind.code for kind in kinds.bundled_on(account.type)}
    bundle = {
        "format": BUNDLE_FORMAT,
        "version": version,
        "generatedAt": timezone.now().isoformat(),
        "account": account_document(account),
        "menus": menu_documents(account),
    }
    for kind in kinds.editorial():
        bundle[kind.document_key] = (
            documents.documents(kind.code, published(kind.model, audience), account.pk) if kind.code in carried else []
        )
    commands = kinds.get(kinds.Kind.SMS_COMMAND)
    if commands.code in carried:
        bundle[commands.document_key] = documents.sms_command_map(account.pk, published(SmsTemplate, audience))
    else:
        bundle[commands.document_key] = {}
    return bundle


def _last_actions(account, since):
    """{(kind, code): (action, object_id)} of the latest change of each item after ``since``."""
    last, version = {}, since
    for row_version, kind, code, object_id, action in change_rows(account, since).values_list(
        "version", "kind", "code", "object_id", "action"
    ):
        last[(kind, code)] = (action, object_id)
        version = row_version
    return last, version


def bundle_delta(account, since):
    """What changed in the account's bundle after version ``since``: the current
    documents of items published since, and the codes of items withdrawn since."""
    with consistent_read():
        return _bundle_delta(account, since)


def _bundle_delta(account, since):
    account = _account(account)
    last, version = _last_actions(account, since)
    audience = audience_for([account])
    upserts, removed = {}, {}
    wanted = {}
    for (kind, code), (action, object_id) in last.items():
        if action == Change.Action.UPSERT:
            wanted.setdefault(kind, {})[code] = object_id
        else:
            removed.setdefault(kinds.get(kind).document_key, []).append(code)
    for kind, by_code in wanted.items():
        key = kinds.get(kind).document_key
        if kind == Change.Kind.MENU:
            upserts[key] = menu_documents(account)
            continue
        if kind == Change.Kind.SMS_COMMAND:
            current = documents.sms_command_map(account.pk, published(SmsTemplate, audience), by_code)
            upserts[key] = current
        else:
            model = kinds.get(kind).model
            items = published(model, audience).filter(pk__in=[pk for pk in by_code.values() if pk is not None])
            current = {doc["code"]: doc for doc in documents.documents(kind, items, account.pk)}
            upserts[key] = [current[code] for code in sorted(current)]
        # Published since but withdrawn again, or no longer reaching the account.
        gone = sorted(code for code in by_code if code not in current)
        if gone:
            removed.setdefault(key, []).extend(gone)
    return {
        "format": DELTA_FORMAT,
        "account": account.code,
        "since": since,
        "version": version,
        "upserts": upserts,
        "removed": {key: sorted(codes) for key, codes in removed.items()},
    }
