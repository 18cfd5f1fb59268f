"""One read of a release's items, shared by everything that looks at them at once (the
release page's violations and plan): each item with the draft that would go live,
loaded in bulk (issue #22: the page's queries do not grow with its items).

The items, their content types, one query per kind for the items, one for the
revisions; each draft is built from its revision without the per-field lookups of
Wagtail's ``as_object``: the objects its foreign keys and many-to-many fields name are
read once per model for all drafts and attached (so the checks reading them later ask
nothing). A dangling key is dropped as ``as_object`` drops it (on_delete SET_NULL or
CASCADE: left empty). Models with child relations (news groups, promotion slots,
template messages) keep Wagtail's ``as_object``."""

from collections import defaultdict
from contextlib import contextmanager

from django.db import models
from modelcluster.fields import ParentalManyToManyField
from wagtail.models import Revision

from content import kinds, memo
from content.models import Article, Organisation


def release_items(release):
    return list(release.items.select_related("content_type", "added_by"))


def _plain(model):
    """True when the model's revisions are read here in bulk: no child relations, and
    every foreign key names its target's primary key."""
    from modelcluster.models import get_all_child_relations

    fks, _m2ms = _relations(model)
    return not get_all_child_relations(model) and all(
        fk.remote_field.field_name == fk.related_model._meta.pk.name for fk in fks
    )


def _relations(model):
    """(foreign keys, many-to-many fields) a revision of ``model`` names."""
    fks, m2ms = [], []
    for field in model._meta.get_fields():
        if isinstance(field, models.ForeignKey) and field.concrete:
            fks.append(field)
        elif isinstance(field, (models.ManyToManyField, ParentalManyToManyField)):
            m2ms.append(field)
    return fks, m2ms


def _load_related(model, contents):
    """{related model: (objects in the model's order, {pk: object})} of every object the
    revisions' keys name (revisions: only whether they exist)."""
    fks, m2ms = _relations(model)
    wanted = defaultdict(set)
    for content in contents:
        for field in fks:
            if content.get(field.name) is not None:
                wanted[field.related_model].add(content[field.name])
        for field in m2ms:
            wanted[field.related_model].update(content.get(field.name) or ())
    out = {}
    for related, pks in wanted.items():
        found = related._default_manager.filter(pk__in=pks)
        if related is Revision:
            found = found.only("pk")
        elif related is Organisation:
            found = found.select_related("parent__parent")  # ancestor_ids(): the tree is three deep
        found = list(found)
        out[related] = (found, {obj.pk: obj for obj in found})
    return out


# What Wagtail's with_content_json (revisions, draft state, locking, translation) keeps
# from the item itself rather than from the revision.
KEPT = ("live", "has_unpublished_changes", "first_published_at", "locked", "locked_at", "locked_by_id",
        "translation_key", "locale_id")


def _draft(item, content, related):
    """``item.with_content_json(content)``, its relations taken from ``related``."""
    model = type(item)
    fks, m2ms = _relations(model)
    data = dict(content)
    attached = {}
    for field in fks:
        value = data.get(field.name)
        if value is None:
            continue
        found = related[field.related_model][1].get(field.related_model._meta.pk.to_python(value))
        if found is None and field.remote_field.on_delete is not models.DO_NOTHING:
            data[field.name] = None  # as as_object: a key to a deleted object is dropped
        elif found is not None and field.related_model is not Revision:
            attached[field.name] = found
    for field in m2ms:
        pks = set(data.pop(field.name, None) or ())
        if field.name in content:
            attached[field.name] = [obj for obj in related.get(field.related_model, ((), {}))[0] if obj.pk in pks]
    draft = model.from_serializable_data(data, check_fks=False)
    for name, value in attached.items():
        setattr(draft, name, value)
    draft.pk = item.pk
    draft.latest_revision = item.latest_revision
    for name in KEPT:
        if hasattr(item, name):
            setattr(draft, name, getattr(item, name))
    return draft


def _belongs(revision, item):
    return revision.object_id == str(item.pk) and revision.base_content_type_id == item.get_base_content_type().pk


def drafts(release_items_):
    """[(release item, (item, draft))] in the items' order: an editorial item's pinned
    or latest revision as an object, a menu with its draft tree (releases.validation
    reads it), (None, None) for an item that is gone."""
    ids_by_model = defaultdict(set)
    for release_item in release_items_:
        ids_by_model[release_item.content_type.model_class()].add(release_item.object_id)
    loaded = {model: model._default_manager.in_bulk(ids) for model, ids in ids_by_model.items()}
    revision_ids = {release_item.published_revision_id for release_item in release_items_}
    revision_ids |= {
        getattr(item, "latest_revision_id", None) for items in loaded.values() for item in items.values()
    }
    revisions = Revision.objects.in_bulk([pk for pk in revision_ids if pk is not None])

    chosen = []
    for release_item in release_items_:
        item = loaded[release_item.content_type.model_class()].get(release_item.object_id)
        revision = None
        if item is not None and release_item.kind != kinds.Kind.MENU:
            if item.latest_revision_id in revisions:
                item.latest_revision = revisions[item.latest_revision_id]
            pinned = revisions.get(release_item.published_revision_id)
            revision = pinned if pinned is not None and _belongs(pinned, item) else item.latest_revision
        chosen.append((release_item, item, revision))

    related = {}
    for model in {type(item) for _ri, item, revision in chosen if revision is not None and _plain(type(item))}:
        contents = [revision.content for _ri, item, revision in chosen if revision is not None and type(item) is model]
        related[model] = _load_related(model, contents)

    out = []
    for release_item, item, revision in chosen:
        if item is None:
            out.append((release_item, (None, None)))
        elif release_item.kind == kinds.Kind.MENU or revision is None:
            out.append((release_item, (item, item)))
        elif type(item) in related:
            out.append((release_item, (item, _draft(item, revision.content, related[type(item)]))))
        else:
            out.append((release_item, (item, item.with_content_json(revision.content))))
    return out


@contextmanager
def shared(release):
    """(release items, drafts) of ``release`` inside a content.memo block: what its
    checks and plan ask about many items (who holds them, their images, the
    organisation tree, their target accounts) is read once for all of them."""
    from content.reach import share_reach
    from content.services.library import share_article_images
    from releases.membership import share_holders
    from renditions.services import share_images

    with memo.shared():
        items = release_items(release)
        found = drafts(items)
        share_holders(release, items)
        stored = [item for _ri, (item, _draft) in found if item is not None]
        for item in stored:
            memo.remember(("stored", type(item), item.pk), item)
        editorial = [draft for release_item, (_item, draft) in found
                     if draft is not None and release_item.kind != kinds.Kind.MENU]
        share_images(editorial)
        share_article_images([draft for draft in editorial if isinstance(draft, Article)])
        share_reach(editorial + stored)
        yield items, found
