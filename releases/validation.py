"""Everything that blocks a release, in one list (``violations``). Each check is a
function ``check(release, drafts) -> [Violation]`` in ``CHECKS``; a further rule
(e.g. referential integrity across kinds) is one more entry there."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from content import bulk_clean, kinds
from content.checks import blocking_checks
from releases import reading


@dataclass(frozen=True)
class Violation:
    """Why a release cannot go live: the item (``kind:code``, or the release), the field, the reason."""

    item: str
    field: str
    message: str

    def __str__(self):
        return f"{self.item} · {self.field}: {self.message}"

    # content.checks reads approval-blocking warnings through the same shape.
    blocking = True
    channel = ""


def menu_tree(menu, release_item=None):
    """The tree the menu would publish, with its structural errors: the revision the
    release pinned (what its go-live publishes; edits since wait for the next release),
    else the draft's (menus.tree)."""
    from menus.tree import build_tree, load_rows

    if release_item is not None and release_item.published_revision_id:
        revision = menu.revisions.filter(pk=release_item.published_revision_id).first()
        if revision is not None and revision.content.get("tree") is not None:
            return revision.content["tree"], []
    return build_tree(load_rows(menu))


def _ref(release_item):
    return f"{release_item.kind}:{release_item.code}"


def _errors(exc):
    if hasattr(exc, "error_dict"):
        return [
            (field, message)
            for field, errors in exc.message_dict.items()
            for message in errors
        ]
    return [("__all__", message) for message in exc.messages]


def item_rules(release, drafts):
    """Each item's own rules: the model's validation and its blocking channel checks.
    A menu is checked as it will go live: after the release's other items (golive.py),
    so the templates and articles it brings count as live."""
    from menus.together import going_live_with

    going = [(kinds.get(ri.kind).model, ri.object_id) for ri, _ in drafts if ri.kind != kinds.Kind.MENU]
    with going_live_with(going):
        return _item_rules(drafts)


def _item_rules(drafts):
    from menus.validation import validate_for_publish

    # The lookups of every draft's full_clean, read once for all of them.
    known = bulk_clean.known_rows(
        [draft for release_item, (item, draft) in drafts if item is not None and release_item.kind != kinds.Kind.MENU]
    )
    out = []
    for release_item, (item, draft) in drafts:
        ref = _ref(release_item)
        if item is None:
            out.append(Violation(ref, "item", "内容已被删除"))
            continue
        if release_item.kind == kinds.Kind.MENU:
            tree, structural = menu_tree(item, release_item)
            problems = list(structural) or list(validate_for_publish(item, tree))
            out += [Violation(ref, "tree", str(problem)) for problem in problems]
            continue
        try:
            bulk_clean.full_clean(draft, known)
        except ValidationError as exc:
            out += [Violation(ref, field, message) for field, message in _errors(exc)]
        out += [
            Violation(ref, warning.channel or "channel", str(warning))
            for warning in blocking_checks(draft)
            if getattr(warning, "code", "") != "held"  # its own release holds it
        ]
    return out


def schedule(release, drafts):
    """A go-live time already past is refused (only before the release is approved)."""
    past = release.go_live_at is not None and release.go_live_at <= timezone.now()
    if past and not release.live and not release.approved_schedule:
        return [
            Violation(
                release.code,
                "go_live_at",
                f"计划上线时间 {timezone.localtime(release.go_live_at):%Y-%m-%d %H:%M} 已过",
            )
        ]
    return []


def not_empty(release, drafts):
    return (
        [] if drafts else [Violation(release.code, "items", "上线计划还没有任何内容")]
    )


# The checks of a release, in order. Add a rule by adding a function here.
CHECKS = [not_empty, schedule, item_rules]


def violations(release, drafts=None):
    """Every violation that blocks ``release`` (empty: it may go live). ``drafts``:
    its items read once for several looks (releases.reading), else read here."""
    if drafts is None:
        with reading.shared(release) as (_items, read):
            return violations(release, read)
    return [violation for check in CHECKS for violation in check(release, drafts)]


def refuse_violations(release):
    """ValidationError listing the violations of ``release``, if any."""
    found = violations(release)
    if found:
        raise ValidationError(
            [str(violation) for violation in found], code="violations"
        )
