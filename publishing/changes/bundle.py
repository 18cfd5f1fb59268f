"""A channel account's whole published configuration as one document, and the
part of it that changed since a version. Built from ``values()`` rows, a handful
of queries per kind whatever the number of items."""

from django.utils import timezone

from content import kinds
from content.models import Brand, ChannelAccount, SmsTemplate
from content.reach import audience_for, published
from publishing.changes import documents, renditions
from publishing.changes.models import Change
from publishing.changes.services import change_rows, consistent_read, current_version

# /2: an SMS command maps to {"default": code, "brands": {brand: code}} (was: a code).
BUNDLE_FORMAT = "channel-bundle/2"
DELTA_FORMAT = "channel-bundle-delta/2"


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
    effective menus (its own or the one rolled out to it), from the menus app."""
    from menus.rollout import effective_tree, source_of

    out = {}
    source = source_of(account.pk)
    base = effective_tree(account.pk, source=source)[1]
    if base is not None:
        out["default"] = base
    for brand in Brand.objects.order_by("code"):
        tree = effective_tree(account.pk, brand=brand, source=source)[1]
        if tree is not None and tree != base:
            out[brand.code] = tree
    return out


def _documents(kind, items, account, with_renditions):
    docs = documents.documents(kind.code, items, account.pk)
    if with_renditions and renditions.carries(account, kind.code):
        renditions.attach(docs, items, account)
    return docs


def _sms_rules(bundle, account, with_renditions):
    if with_renditions and account.type == ChannelAccount.Type.SMS:
        bundle["smsRules"] = renditions.sms_rules_document(account)
    return bundle


def build_bundle(account, with_renditions=False):
    """The account's published configuration with the version it is current at.
    ``with_renditions`` (pushes): each item also carries its rendition for the
    account's channel, and an SMS account's bundle its SMS rules (renditions.py).

    The version is read first: anything published while the bundle builds is
    then also in a later ``changes_since(version)``, so a client never misses it.
    A release is in it whole or not at all (``consistent_read``)."""
    with consistent_read():
        return _build_bundle(account, with_renditions)


def _build_bundle(account, with_renditions):
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
            _documents(kind, published(kind.model, audience), account, with_renditions) if kind.code in carried else []
        )
    commands = kinds.get(kinds.Kind.SMS_COMMAND)
    if commands.code in carried:
        bundle[commands.document_key] = documents.sms_command_map(account.pk, published(SmsTemplate, audience))
    else:
        bundle[commands.document_key] = {}
    return _sms_rules(bundle, account, with_renditions)


def _last_actions(account, since):
    """{(kind, code): (action, object_id)} of the latest change of each item after ``since``."""
    last, version = {}, since
    for row_version, kind, code, object_id, action in change_rows(account, since).values_list(
        "version", "kind", "code", "object_id", "action"
    ):
        last[(kind, code)] = (action, object_id)
        version = row_version
    return last, version


def _articles_showing(account, last, wanted, audience):
    """A pushed article's rendition holds its packages' cards: the articles showing a
    package changed since are sent again with it (their own change unchanged)."""
    package_ids = [pk for (kind, _), (_, pk) in last.items() if kind == Change.Kind.PACKAGE and pk is not None]
    if not package_ids or not renditions.carries(account, Change.Kind.ARTICLE):
        return
    gone = {code for (kind, code), (action, _) in last.items() if kind == Change.Kind.ARTICLE and action != Change.Action.UPSERT}
    showing = published(kinds.get(Change.Kind.ARTICLE).model, audience).filter(related_packages__in=package_ids)
    for code, pk in showing.order_by().values_list("code", "pk").distinct():
        if code not in gone:
            wanted.setdefault(Change.Kind.ARTICLE, {}).setdefault(code, pk)


def bundle_delta(account, since, with_renditions=False):
    """What changed in the account's bundle after version ``since``: the current
    documents of items published since, and the codes of items withdrawn since
    (with their renditions when ``with_renditions``, as ``build_bundle``)."""
    with consistent_read():
        return _bundle_delta(account, since, with_renditions)


def _bundle_delta(account, since, with_renditions):
    account = _account(account)
    last, version = _last_actions(account, since)
    audience = audience_for([account])
    upserts, removed = {}, {}
    wanted = {}
    for (kind, code), (action, object_id) in last.items():
        # A command's entry holds every brand's binding: any change re-reads it whole.
        if action == Change.Action.UPSERT or kind == Change.Kind.SMS_COMMAND:
            wanted.setdefault(kind, {})[code] = object_id
        else:
            removed.setdefault(kinds.get(kind).document_key, []).append(code)
    if with_renditions:
        _articles_showing(account, last, wanted, audience)
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
            docs = _documents(kinds.get(kind), items, account, with_renditions)
            current = {doc["code"]: doc for doc in docs}
            upserts[key] = [current[code] for code in sorted(current)]
        # Published since but withdrawn again, or no longer reaching the account.
        gone = sorted(code for code in by_code if code not in current)
        if gone:
            removed.setdefault(key, []).extend(gone)
    delta = {
        "format": DELTA_FORMAT,
        "account": account.code,
        "since": since,
        "version": version,
        "upserts": upserts,
        "removed": {key: sorted(codes) for key, codes in removed.items()},
    }
    return _sms_rules(delta, account, with_renditions)
