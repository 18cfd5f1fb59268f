"""Batch loading of many-to-many relations for a page of items: one query per
relation whatever the page size, stored on the items for the resolvers.

Wagtail's models keep many-to-many values in modelcluster's deferring managers,
whose prefetch builds a queryset per item; a page of 1,000 SMS templates then
costs thousands of queryset constructions. Reading the through table once is
cheaper and keeps a page at a fixed number of queries."""

from collections import defaultdict


def attach_many(items, model, field_name, attr, *, targets=None, select=()):
    """Set ``attr`` on each item to the list of its ``field_name`` relations (ordered
    like the related model), restricted to the ``targets`` subquery when given.
    Two queries: the pairs, then each related object once. Returns those objects."""
    if not items:
        return []
    m2m = model._meta.get_field(field_name)
    through = m2m.remote_field.through
    src, dst = f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"
    pairs = through.objects.filter(**{f"{src}__in": [item.pk for item in items]})
    if targets is not None:
        pairs = pairs.filter(**{f"{dst}__in": targets})
    pairs = list(pairs.values_list(src, dst))
    related = m2m.related_model._default_manager.filter(pk__in={target for _, target in pairs})
    related = list(related.select_related(*select)) if pairs else []
    by_pk = {obj.pk: obj for obj in related}
    grouped = defaultdict(list)
    for item_id, target_id in pairs:
        grouped[item_id].append(target_id)
    position = {obj.pk: index for index, obj in enumerate(related)}
    for item in items:
        ids = sorted(grouped.get(item.pk, ()), key=position.__getitem__)
        setattr(item, attr, [by_pk[pk] for pk in ids])
    return related


def loaded(item, attr, field_name):
    """What attach_many stored, or the relation itself (a draft from a preview token
    carries its own values in memory)."""
    value = getattr(item, attr, None)
    return value if value is not None else getattr(item, field_name).all()
