"""Navigation of the web hall and the mini-program as menu trees: ``category`` nodes
group others (like a submenu), ``shelf`` leaves list the packages of a family or
the businesses of a kind, which a front end reads with ``packages(family:)`` or
``businesses(kind:)``. The rules, mixed into the one menu validator
(``menus.validation``), so the editor, the importer and publishing check them alike."""

from content.models import Business, Package
from content.reach import audience_for, published
from menus.models import NodeType, ShelfKind

# Nodes that hold others; every other type is a leaf.
GROUPS = frozenset({NodeType.SUBMENU, NodeType.CATEGORY})
# What a shelf lists, and the field of the offer its family names.
SHELF_SOURCES = {ShelfKind.PACKAGE: (Package, "family"), ShelfKind.BUSINESS: (Business, "kind")}
FAMILY_MAX_CHARS = 100


class NavigationChecks:
    """The group and shelf targets of ``menus.validation._Check``."""

    def target_submenu(self, node):
        return None

    target_category = target_submenu

    def target_shelf(self, node):
        kind, family = node.get("shelf_kind"), node.get("family")
        if kind not in ShelfKind.values:
            self.add(node, "shelf_kind", "货架须选择列出资费套餐还是增值业务", "required")
        if not isinstance(family, str) or not family.strip():
            self.add(node, "family", "货架须填写套餐系列或业务类别", "required")
        elif len(family) > FAMILY_MAX_CHARS:
            self.add(node, "family", f"系列不能超过{FAMILY_MAX_CHARS}个字符", "max_length")
        elif kind in ShelfKind.values:
            self.shelves.setdefault((kind, family), []).append(node)

    def _resolve_shelves(self):
        """A shelf whose family has no live offer reaching the account would show an empty page."""
        if not self.shelves:
            return
        audience = audience_for([self.account]) if self.account.pk else None
        for kind in {kind for kind, _ in self.shelves}:
            model, field_name = SHELF_SOURCES[kind]
            families = [family for k, family in self.shelves if k == kind]
            offers = published(model, audience) if audience is not None else model.objects.filter(live=True)
            known = set(offers.filter(**{f"{field_name}__in": families}).values_list(field_name, flat=True))
            label = "套餐系列" if kind == ShelfKind.PACKAGE else "业务类别"
            for family in sorted(set(families) - known):
                for node in self.shelves[(kind, family)]:
                    self.add(node, "family", f"{label} {family} 没有发往此账号的已发布内容", "empty_shelf")
