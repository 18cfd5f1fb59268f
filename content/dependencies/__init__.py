"""What a live item needs: the one place that answers "may these items leave live?".

Every path that takes an item off live (the admin's unpublish and delete, scheduled
expiry, a release) asks ``blockers(leaving, together=...)`` and refuses while the
answer is not empty. Each app registers, in its ``AppConfig.ready``, the finders of
the live items of its own that need items of a kind (content registers replies,
news groups, articles and packages; menus registers menu nodes), so this module
never imports an app above content.

A finder is ``fn(needed) -> iterable of Dependent``, where ``needed`` maps the pk of
each leaving item of one kind to its ``Item``. It runs a fixed number of queries
whatever the number of items: a check of a thousand items costs what one costs."""

from collections import defaultdict
from dataclasses import dataclass

from content import kinds


@dataclass(frozen=True)
class Item:
    """An item named as an editor knows it: kind code, pk, code (its pk when it has none), label."""

    kind: str
    pk: str
    code: str
    label: str

    @property
    def kind_label(self):
        return str(kinds.label(self.kind))

    def __str__(self):
        label = f"「{self.label}」" if self.label and self.label != self.code else ""
        return f"{self.kind_label} {self.code}{label}"


@dataclass(frozen=True)
class Dependent:
    """What a finder reports: the live item ``item`` needs the leaving item ``needed_pk``;
    ``where`` says which part of it (menu nodes, an order command)."""

    needed_pk: str
    item: Item
    where: str = ""


@dataclass(frozen=True)
class Blocker:
    """A leaving item (``needed``) that a live item staying live (``dependent``) needs."""

    needed: Item
    dependent: Item
    where: str = ""

    @property
    def message(self):
        where = f" {self.where}" if self.where else ""
        return f"{self.needed.kind_label} {self.needed.code} 被已上线的{self.dependent.kind_label} {self.dependent.code}{where} 使用"

    def __str__(self):
        return self.message


_finders = defaultdict(list)  # needed kind code -> [finder]


def register(needed_kind, finder):
    """Called in an app's ``ready()``: ``finder`` finds live items that need items of ``needed_kind``."""
    # An unknown code fails at start-up, not at the first unpublish.
    kinds.get(needed_kind)
    if finder not in _finders[needed_kind]:
        _finders[needed_kind].append(finder)


def item_of(kind_code, obj):
    """The ``Item`` naming ``obj`` of the kind ``kind_code``."""
    kind = kinds.get(kind_code)
    return Item(kind_code, str(obj.pk), kind.item_code(obj), str(obj))


def _by_kind(pairs):
    out = defaultdict(set)
    for kind_code, object_id in pairs:
        kinds.get(kind_code)
        out[str(kind_code)].add(str(object_id))
    return out


def blockers(leaving, *, together=()):
    """Every live item outside ``leaving`` and ``together`` that needs an item of
    ``leaving``, as ``[Blocker]`` (empty: they may all leave). Both are iterables of
    ``(kind code, object id)``; ``together`` names items changed alongside (a release's
    other items), whose needs are their own business. One batch of queries per kind."""
    leaving = _by_kind(leaving)
    exempt = {(kind, pk) for kind, pks in leaving.items() for pk in pks}
    exempt |= {(kind, pk) for kind, pks in _by_kind(together).items() for pk in pks}
    found = []
    for kind_code, pks in leaving.items():
        finders = _finders.get(kind_code)
        if not finders:
            continue
        model = kinds.get(kind_code).model
        needed = {
            str(obj.pk): item_of(kind_code, obj)
            for obj in model._default_manager.filter(pk__in=pks)
        }
        if not needed:
            continue
        for finder in finders:
            for dependent in finder(needed):
                if (dependent.item.kind, dependent.item.pk) in exempt:
                    continue
                found.append(
                    Blocker(
                        needed[str(dependent.needed_pk)],
                        dependent.item,
                        dependent.where,
                    )
                )
    found.sort(
        key=lambda b: (
            b.needed.kind,
            b.needed.code,
            b.dependent.kind,
            b.dependent.code,
            b.where,
        )
    )
    return found


def blockers_of(item, *, together=()):
    """``blockers`` of one model instance leaving live (nothing for a model that is no kind)."""
    kind = kinds.kind_of(item)
    if kind is None or item.pk is None:
        return []
    return blockers([(kind.code, item.pk)], together=together)


def refusal(found, action="下线"):
    """One message for an editor or a log line: why ``action`` was refused."""
    if not found:
        return ""
    lines = "；".join(b.message for b in found[:10])
    more = f"；……共 {len(found)} 处" if len(found) > 10 else ""
    return f"未{action}:{lines}{more}。请先修改或一并下线这些内容。"
