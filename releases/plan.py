"""What a release will change, per channel account: for each item reaching the
account, its diff against what is live (fields; menus node by node, menus.diff) and
its renditions' limit warnings there (renditions)."""

from dataclasses import dataclass, field

from content import kinds
from content.reach import target_account_list
from menus.diff import diff_trees
from menus.services import live_version
from releases import reading
from releases.validation import menu_tree

# Bookkeeping of the editorial mixins, not content an editor changes.
SKIPPED_FIELDS = {
    "id",
    "live",
    "has_unpublished_changes",
    "first_published_at",
    "last_published_at",
    "live_revision",
    "latest_revision",
    "go_live_at",
    "expire_at",
    "expired",
    "locked",
    "locked_at",
    "locked_by",
    "draft_title",
    "created_at",
    "updated_at",
}
MENU_CHANGE_LABELS = {
    "added": "新增",
    "removed": "删除",
    "renamed": "改名",
    "moved": "移动",
    "retargeted": "改动作",
    "changed": "修改",
}


@dataclass
class ItemChange:
    ref: str
    action_label: str  # 新增 / 修改 / 无变化
    summary: str
    fields: list = field(default_factory=list)  # (label, before, after)
    warnings: list = field(
        default_factory=list
    )  # str of the renditions' warnings on this account


@dataclass
class AccountPlan:
    account: object
    changes: list = field(default_factory=list)


def _short(value, limit=60):
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def field_diff(live, draft):
    """(label, before, after) of the fields the draft changes against the live item."""
    out = []
    for model_field in draft._meta.concrete_fields:
        if model_field.name in SKIPPED_FIELDS:
            continue
        after = model_field.value_from_object(draft)
        before = model_field.value_from_object(live) if live is not None else None
        if before != after:
            out.append((str(model_field.verbose_name), _short(before), _short(after)))
    return out


def _menu_change(release_item, menu):
    live = live_version(menu) if menu.live else None
    tree, _structural = menu_tree(menu, release_item)
    diff = diff_trees(live.tree if live is not None else [], tree)
    counts = ", ".join(
        f"{MENU_CHANGE_LABELS[kind]} {n}" for kind, n in diff.counts.items() if n
    )
    rows = [(MENU_CHANGE_LABELS[c.kind], c.key, c.name) for c in diff]
    action = "新增" if live is None else ("修改" if diff else "无变化")
    return ItemChange(
        f"menu:{release_item.code}", action, f"菜单节点:{counts or '无变化'}", rows
    )


def _item_changes(release_item, item, draft, accounts):
    kind = kinds.get(release_item.kind)
    live = item if item.live else None
    fields = field_diff(live, draft)
    action = "新增" if live is None else ("修改" if fields else "无变化")
    summary = "、".join(label for label, _b, _a in fields[:8]) or "内容不变"
    warnings = {}
    if kind.rendered and accounts:
        from renditions.services import render_all

        for account, rendition in zip(
            accounts, render_all(draft, accounts), strict=True
        ):
            warnings[account.pk] = [str(w) for w in rendition.warnings]
    ref = f"{kind.code}:{release_item.code}"
    return {
        account.pk: ItemChange(
            ref, action, summary, fields, warnings.get(account.pk, [])
        )
        for account in accounts
    }


def plan(release, drafts=None):
    """[AccountPlan] in account code order: what going live changes on each account.
    ``drafts``: the items read once for the page (releases.reading), else read here."""
    if drafts is None:
        with reading.shared(release) as (_items, read):
            return plan(release, read)
    by_account = {}
    for release_item, (item, draft) in drafts:
        if item is None:
            continue
        if release_item.kind == kinds.Kind.MENU:
            accounts = [item.account]
            changes = {item.account_id: _menu_change(release_item, item)}
        else:
            accounts = target_account_list(draft)
            changes = _item_changes(release_item, item, draft, accounts)
        for account in accounts:
            by_account.setdefault(account.pk, AccountPlan(account)).changes.append(
                changes[account.pk]
            )
    return sorted(
        by_account.values(), key=lambda account_plan: account_plan.account.code
    )
