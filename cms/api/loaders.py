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
    Returns the related objects loaded, once each."""
    if not items:
        return []
    m2m = model._meta.get_field(field_name)
    through = m2m.remote_field.through
    src, dst = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
    rows = through.objects.filter(**{f"{src}_id__in": [item.pk for item in items]})
    if targets is not None:
        rows = rows.filter(**{f"{dst}_id__in": targets})
    related = m2m.related_model
    ordering = [f"-{dst}__{o[1:]}" if o.startswith("-") else f"{dst}__{o}" for o in related._meta.ordering or ["pk"]]
    rows = rows.select_related(dst, *(f"{dst}__{path}" for path in select)).order_by(*ordering, "pk")
    grouped, loaded = defaultdict(list), {}
    for row in rows:
        target = loaded.setdefault(getattr(row, f"{dst}_id"), getattr(row, dst))
        grouped[getattr(row, f"{src}_id")].append(target)
    for item in items:
        setattr(item, attr, grouped.get(item.pk, []))
    return list(loaded.values())


def loaded(item, attr, field_name):
    """What attach_many stored, or the relation itself (a draft from a preview token
    carries its own values in memory)."""
    value = getattr(item, attr, None)
    return value if value is not None else getattr(item, field_name).all()
