"""Search and reference indexes of imported records, rebuilt in one pass per list.

Bulk writes skip the per-row ``post_save`` handlers that index a record the admin
saves (each a django-task); this writes the same index entries, a thousand
records per statement."""

from django.contrib.contenttypes.models import ContentType
from modelcluster.models import get_all_child_relations
from modelsearch import index
from modelsearch.backends import get_search_backends
from wagtail.models import ReferenceIndex

from . import search

BATCH = 1000
REFERENCE_COLUMNS = ("content_type", "base_content_type", "object_id", "to_content_type", "to_object_id",
                     "model_path", "content_path", "content_path_hash")


def chunks(items, size=BATCH):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _related_names(model):
    """Relations the search fields and the reference index walk, to prefetch them."""
    names = [f.field_name for f in model.get_search_fields() if isinstance(f, index.RelatedFields)]
    if hasattr(model, "_meta"):
        names += [rel.get_accessor_name() for rel in get_all_child_relations(model)]
    return names


def reindex(model, objs, *, new=()):
    """Index ``objs`` of ``model`` as their post_save handlers would; ``new`` holds
    the primary keys of objects created by this run (they have no entries yet).

    Objects written by this import are indexed as they are in memory; models whose
    index walks relations (image tags, child objects) are read back with those
    relations prefetched."""
    objs = list(objs)
    if not objs:
        return
    indexed = index.class_is_indexed(model)
    tracked = ReferenceIndex.is_indexed(model)
    if not (indexed or tracked):
        return
    backends = list(get_search_backends(with_auto_update=True)) if indexed else []
    related = _related_names(model)
    for chunk in chunks(objs):
        if related:
            queryset = model.get_indexed_objects() if indexed else model.objects.all()
            chunk = list(queryset.filter(pk__in=[obj.pk for obj in chunk]).prefetch_related(*related))
        for backend in backends:
            search.add_to_index(backend, model, chunk)
        if tracked:
            _rebuild_references(model, chunk, new)
    for backend in backends:
        search.refresh(backend, model)


def _rebuild_references(model, objs, new):
    """What ReferenceIndex.create_or_update_for_object does, for many objects at once."""
    from .bulk import insert_values

    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    base_content_type = ReferenceIndex._get_base_content_type(model)
    existing = [str(obj.pk) for obj in objs if obj.pk not in new]
    if existing:
        ReferenceIndex.objects.filter(base_content_type=base_content_type, object_id__in=existing).delete()
    rows, hashes = [], {}
    for obj in objs:
        for to_content_type_id, to_object_id, model_path, content_path in set(
            ReferenceIndex._extract_references_from_object(obj)
        ):
            # A few paths ("organisation", "latest_revision"...) for every object: hashed once each.
            if content_path not in hashes:
                hashes[content_path] = ReferenceIndex._get_content_path_hash(content_path)
            rows.append((content_type.pk, base_content_type.pk, str(obj.pk), to_content_type_id, to_object_id,
                         model_path, content_path, hashes[content_path]))
    insert_values(ReferenceIndex, REFERENCE_COLUMNS, rows)
