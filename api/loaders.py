"""Batch loading of many-to-many relations for a page of items: one query per
relation whatever the page size, stored on the items for the resolvers.

Wagtail's models keep many-to-many values in modelcluster's deferring managers,
whose prefetch builds a queryset per item; a page of 1,000 SMS templates then
costs thousands of queryset constructions. Reading the through table once is
cheaper and keeps a page at a fixed number of queries."""

from collections import defaultdict

from api import reused_sql


def attach_many(items, model, field_name, attr, *, targets=None, select=()):
    """Set ``attr`` on each item to the list of its ``field_name`` relations (ordered
    like the related model), restricted to the ``targets`` subquery when given.
    Two queries: the pairs, then each related object once. Returns those objects."""
    if not items:
        return []
    m2m = model._meta.get_field(field_name)
    through, related_model = m2m.remote_field.through, m2m.related_model
    src, dst = f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"

    def pairs_of(ids):
        return through.objects.filter(**{f"{src}__in": reused_sql.ids_in(ids)}).values_list(src, dst)

    ids = [item.pk for item in items]
    if targets is None:
        # Both queries' SQL compiled once per relation (api.reused_sql), whatever the page size.
        pairs = reused_sql.fetch(("m2m_pairs", through, src), pairs_of, [ids], through)
    else:
        pairs = list(through.objects.filter(**{f"{src}__in": ids, f"{dst}__in": targets}).values_list(src, dst))

    def related_of(ids):
        return related_model._default_manager.filter(pk__in=reused_sql.ids_in(ids)).select_related(*select)

    wanted = sorted({target for _, target in pairs})
    related = reused_sql.fetch(("m2m_related", related_model, select), related_of, [wanted], related_model) if pairs else []
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
