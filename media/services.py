"""Per-organisation image collections: one Wagtail collection per organisation,
named by its code and nested like the organisation tree (root → SX → SX-01 →
SX-01-01), created on demand."""

from django.db import transaction
from wagtail.models import Collection


def root_collection():
    # Wagtail's migrations create the root; a flushed database (transactional
    # tests) has none until something needs it.
    return Collection.get_first_root_node() or Collection.add_root(name="Root")


def _child_named(parent, name):
    return next((c for c in parent.get_children() if c.name == name), None)


@transaction.atomic
def collection_for_organisation(org):
    """The organisation's collection, created (with its ancestors') when missing."""
    parent = collection_for_organisation(org.parent) if org.parent_id else root_collection()
    existing = _child_named(parent, org.code)
    if existing is not None:
        return existing
    return parent.add_child(instance=Collection(name=org.code))


def organisation_of_collection(collection):
    """The organisation a collection belongs to, or None (root, or an unrelated collection)."""
    from content.models import Organisation

    if collection is None or collection.is_root():
        return None
    org = Organisation.objects.filter(code=collection.name).select_related("parent").first()
    if org is None:
        return None
    # The collection must sit where the organisation's would: under its parent's.
    parent = collection.get_parent()
    expected_parent = org.parent.code if org.parent_id else None
    if (parent.name if not parent.is_root() else None) != expected_parent:
        return None
    return org


def place_image(image):
    """Keep an image's organisation and collection in agreement before saving:
    an organisation's image lives in its collection, an image put in an
    organisation's collection belongs to that organisation."""
    collection = image.collection if image.collection_id else None
    owner = organisation_of_collection(collection)
    if owner is not None:
        image.organisation = owner
    elif image.organisation_id is not None:
        image.collection = collection_for_organisation(image.organisation)
    return image


def collections_for_user(user, *, write):
    """Collections whose images the user may change (own organisation's subtree) or,
    for reading, also see (plus the collections of their ancestors and the root).
    None means every collection."""
    from content.permissions import scope_for_user

    scope = scope_for_user(user)
    if scope.everything:
        return None
    cache_attr = "_image_collections_write" if write else "_image_collections_read"
    cached = getattr(user, cache_attr, None)
    if cached is not None:
        return cached
    profile = getattr(user, "editor_profile", None) if scope.editable else None
    if profile is None:
        ids = frozenset()
    else:
        home = collection_for_organisation(profile.organisation)
        ids = set(home.get_descendants(inclusive=True).values_list("pk", flat=True))
        if not write:
            ids |= set(home.get_ancestors().values_list("pk", flat=True))
        ids = frozenset(ids)
    setattr(user, cache_attr, ids)
    return ids
