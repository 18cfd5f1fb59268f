"""Channel rules of menu trees: the one validator the admin editor, the importer,
the API and the publisher call. Every violation is a RecordError naming the node
key (record) and the node field."""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from content.errors import RecordError
from content.models import Article, ChannelAccount, SmsCommand, SmsTemplate
from menus.lookups import Lookups
from menus.models import NodeType
from menus.navigation import GROUPS, NavigationChecks
from menus.together import GOING_LIVE as _GOING_LIVE
from menus.tree import build_tree, load_rows, merge_variant, normalise, segment, walk
from wechat import limits as wechat_limits

T = NodeType
NAME_MAX_CHARS = 100
HARD_MAX_DEPTH = 8
SMS_KEY = re.compile(r"^(?:[1-9]|x\d{1,4})$")
KEY = re.compile(r"^[A-Za-z0-9_\-]{1,16}$")
SMS_COMMAND = re.compile(r"^[A-Za-z0-9]{1,20}$")


@dataclass(frozen=True)
class ChannelRules:
    types: frozenset
    max_depth: int
    # by depth (1 = top level): maximum served children of the level, name limit in UTF-8 bytes
    max_served: dict = field(default_factory=dict)
    name_bytes: dict = field(default_factory=dict)
    url_bytes: int = 2048
    pages_allowed: bool = False


RULES = {
    # WeChat's own numbers come from the one place the client and emulator use too.
    ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT: ChannelRules(
        types=frozenset({T.SUBMENU, T.CLICK, T.VIEW, T.MINIPROGRAM, T.MEDIA_ID, T.ARTICLE_ID}),
        max_depth=2,
        max_served={1: wechat_limits.MENU_MAX_BUTTONS, 2: wechat_limits.MENU_MAX_SUB_BUTTONS},
        name_bytes={1: wechat_limits.MENU_NAME_MAX_BYTES, 2: wechat_limits.MENU_SUB_NAME_MAX_BYTES},
        url_bytes=wechat_limits.MENU_URL_MAX_BYTES,
    ),
    ChannelAccount.Type.SMS: ChannelRules(types=frozenset({T.SUBMENU, T.COMMAND}), max_depth=6),
    ChannelAccount.Type.WEB: ChannelRules(types=frozenset({T.SUBMENU, T.VIEW, T.CATEGORY, T.SHELF}), max_depth=4),
    ChannelAccount.Type.WECHAT_MINIPROGRAM: ChannelRules(
        types=frozenset({T.SUBMENU, T.VIEW, T.CATEGORY, T.SHELF}), max_depth=3, pages_allowed=True
    ),
}


class MenuValidationError(ValidationError):
    """A refused tree: one message per violation ("1.2.name: ..."), the RecordErrors in ``errors``."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__([ValidationError(str(e), code=e.code) for e in self.errors])


def _utf8(value):
    return len(str(value).encode("utf-8"))


class _Check(NavigationChecks):
    """One validation pass: collects errors and the references to resolve in bulk."""

    def __init__(self, account, go_live_at=None, lookups=None):
        self.account = account
        self.lookups = lookups or Lookups()
        self.go_live_at = go_live_at  # None: going live now, so every item used must be live now
        self.rules = RULES.get(account.type)
        self.errors = []
        self.templates = {}  # code -> [node]
        self.brands = {}  # code -> [node]
        self.mini_accounts = {}
        self.articles = {}
        self.commands = {}  # upper-cased command -> first node
        self.shelves = {}  # (shelf kind, family) -> [node]

    def add(self, node, field_name, message, code="invalid"):
        self.errors.append(RecordError(record=str(node.get("key") or "?"), field=field_name, message=message, code=code))

    # -- per node ----------------------------------------------------------
    def node(self, node, depth, parent):
        key = node.get("key")
        if not isinstance(key, str) or not key:
            self.add(node, "key", "键不能为空", "required")
        else:
            own = segment(key)
            expected_prefix = f"{parent['key']}." if parent else ""
            if key != expected_prefix + own:
                self.add(node, "key", f"键须为上级键加本层键,例如 {expected_prefix}{own}", "key_path")
            if not KEY.match(own):
                self.add(node, "key", "本层键只能是1-16位字母、数字、下划线或连字符", "invalid_key")
            elif self.account.type == ChannelAccount.Type.SMS and not SMS_KEY.match(own):
                message = "0 保留为返回主菜单" if own == "0" else "短信菜单的键须为1-9,或仅凭指令访问的扩展键x1、x2…"
                self.add(node, "key", message, "sms_key")
        name = node.get("name")
        if not isinstance(name, str) or not name.strip():
            self.add(node, "name", "名称不能为空", "required")
        elif len(name) > NAME_MAX_CHARS:
            self.add(node, "name", f"名称不能超过{NAME_MAX_CHARS}个字符", "max_length")
        elif depth in self.rules.name_bytes and _utf8(name) > self.rules.name_bytes[depth]:
            limit = self.rules.name_bytes[depth]
            level = "一级菜单" if depth == 1 else "二级菜单"
            self.add(node, "name", f"{level}名称不能超过{limit}字节(约{limit // 3}个汉字),当前{_utf8(name)}字节",
                     "name_bytes")
        if depth > min(self.rules.max_depth, HARD_MAX_DEPTH):
            self.add(node, "key", f"层级过深:此渠道菜单最多{self.rules.max_depth}层", "max_depth")
        brands = node.get("brands")
        if not isinstance(brands, list) or not all(isinstance(b, str) for b in brands):
            self.add(node, "brands", "品牌须为品牌代码列表", "invalid")
        else:
            for code in brands:
                self.brands.setdefault(code, []).append(node)
        for flag in ("hidden", "valid"):
            if not isinstance(node.get(flag), bool):
                self.add(node, flag, "须为 true 或 false", "invalid")
        if node.get("inherit"):
            self.add(node, "inherit", "基础菜单中没有此键的节点,无法沿用", "inherit_missing")
        children = node.get("children") or []
        kind = node.get("type")
        if kind not in self.rules.types:
            allowed = "、".join(sorted(str(t) for t in self.rules.types))
            self.add(node, "type", f"此渠道不支持类型 {kind!r},可用:{allowed}", "invalid_type")
            return
        if kind in GROUPS:
            if not children:
                self.add(node, "children", f"{T(kind).label}下没有节点", "empty_submenu")
            if node.get("command"):
                self.add(node, "command", f"{T(kind).label}不能绑定指令", "invalid")
        elif children:
            self.add(node, "children", "只有子菜单或分类可以有下级节点", "leaf_children")
        getattr(self, f"target_{kind}")(node)

    # -- targets by type (groups and shelves: menus.navigation) ----------------
    def _url(self, node, required=True):
        url = node.get("url") or ""
        if not isinstance(url, str):
            self.add(node, "url", "链接须为文本", "invalid")
            return
        if not url:
            if required:
                self.add(node, "url", "链接不能为空", "required")
            return
        if _utf8(url) > self.rules.url_bytes:
            self.add(node, "url", f"链接不能超过{self.rules.url_bytes}字节,当前{_utf8(url)}字节", "url_bytes")
        is_page = self.rules.pages_allowed and re.match(r"^/?[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-.]+)*(\?\S*)?$", url)
        is_relative = self.account.type == ChannelAccount.Type.WEB and url.startswith("/") and not url.startswith("//")
        if not (url.startswith("https://") and len(url) > 8) and not is_page and not is_relative:
            self.add(node, "url", "链接须以 https:// 开头", "https")

    def target_view(self, node):
        self._url(node)

    def target_click(self, node):
        event_key = node.get("event_key") or ""
        if not isinstance(event_key, str) or not event_key:
            self.add(node, "event_key", "点击菜单须填写事件KEY", "required")
        elif _utf8(event_key) > wechat_limits.MENU_KEY_MAX_BYTES:
            self.add(node, "event_key", f"事件KEY不能超过{wechat_limits.MENU_KEY_MAX_BYTES}字节", "max_length")

    def target_miniprogram(self, node):
        mini = node.get("miniprogram") or {}
        if not mini.get("account"):
            self.add(node, "miniprogram.account", "须选择小程序账号", "required")
        else:
            self.mini_accounts.setdefault(mini["account"], []).append(node)
        if not mini.get("pagepath"):
            self.add(node, "miniprogram.pagepath", "须填写小程序页面路径", "required")
        # WeChat clients without mini-program support open the fallback URL.
        self._url(node)

    def _article(self, node):
        code = node.get("article")
        if not code:
            self.add(node, "article", "须选择图文", "required")
        else:
            self.articles.setdefault(code, []).append(node)

    target_media_id = _article
    target_article_id = _article

    def target_command(self, node):
        command = node.get("command") or ""
        if not isinstance(command, str) or not SMS_COMMAND.match(command):
            self.add(node, "command", "指令须为1-20位字母或数字", "invalid_command")
        elif command.isdigit():
            self.add(node, "command", "指令不能全为数字(数字用于菜单导航)", "invalid_command")
        else:
            first = self.commands.setdefault(command.upper(), node)
            if first is not node:
                self.add(node, "command", f"指令 {command} 与节点 {first.get('key')} 重复", "duplicate_command")
        if not node.get("reply_template"):
            self.add(node, "reply_template", "须选择回复模板", "required")
        else:
            self.templates.setdefault(node["reply_template"], []).append(node)

    # -- siblings and channel limits ------------------------------------------
    def siblings(self, nodes, depth, audiences):
        seen = {}
        for node in nodes:
            key = node.get("key")
            if isinstance(key, str) and key:
                if key in seen:
                    self.add(node, "key", f"同级已有键 {segment(key)} 的节点({seen[key].get('name')})", "duplicate_key")
                else:
                    seen[key] = node
        limit = self.rules.max_served.get(depth)
        if limit is None:
            return
        reported = set()
        for brand in audiences:
            shown = [n for n in nodes if _served_to(n, brand)]
            for position, extra in enumerate(shown[limit:], limit + 1):
                if id(extra) in reported:
                    continue
                reported.add(id(extra))
                level = "一级菜单" if depth == 1 else "子菜单"
                who = f"(品牌 {brand})" if brand else ""
                self.add(extra, "key", f"微信最多{limit}个{level}{who},此为第{position}个", "too_many")
        if self.account.type == ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT:
            for node in nodes:
                if node.get("type") == T.SUBMENU and _served_to(node, None) and node.get("children"):
                    if not any(_served_to(c, None) for c in node["children"]):
                        self.add(node, "children", "子菜单下没有显示的按钮", "empty_submenu")

    # -- references, resolved in bulk -----------------------------------------
    def resolve(self):
        self._resolve_brands()
        self._resolve_templates()
        self._resolve_mini_accounts()
        self._resolve_articles()
        self._resolve_shelves()

    def _resolve_brands(self):
        if not self.brands:
            return
        known = self.lookups.known_brands(self.brands)
        for code in sorted(set(self.brands) - known):
            for node in self.brands[code]:
                self.add(node, "brands", f"未知品牌 {code}", "unknown_brand")

    def _scheduled_in_time(self, model, pending):
        """Of ``pending`` ({pk: code}, items not live), the codes live by the time the menu
        is: scheduled by ``go_live_at``, or going live with it (``going_live_with``)."""
        together = {pending[str(pk)] for kind_model, pk in _GOING_LIVE.get() if kind_model is model and str(pk) in pending}
        if not pending or self.go_live_at is None:
            return together
        from wagtail.models import Revision

        due = Revision.objects.filter(base_content_type=model.get_base_content_type(), object_id__in=list(pending),
                                      approved_go_live_at__lte=self.go_live_at)
        return together | {pending[object_id] for object_id in due.values_list("object_id", flat=True)}

    def _resolve_templates(self):
        if not self.templates and not self.commands:
            return
        rows = {t["code"]: t for t in SmsTemplate.objects.filter(code__in=list(self.templates)).values("id", "code", "live")}
        pending = {str(t["id"]): code for code, t in rows.items() if not t["live"]}
        scheduled = self._scheduled_in_time(SmsTemplate, pending)
        for code, nodes in self.templates.items():
            template = rows.get(code)
            for node in nodes:
                if template is None:
                    self.add(node, "reply_template", f"回复模板 {code} 不存在", "unknown_template")
                elif not template["live"] and code not in scheduled and node.get("valid", True):
                    when = "未发布" if self.go_live_at is None else "在菜单上线时尚未发布"
                    self.add(node, "reply_template", f"回复模板 {code} {when}", "template_not_published")
        # A command whose default the account binds to another template would answer
        # twice (a brand's own binding may differ: it answers that brand's customers).
        bound = {}
        if self.account.pk:
            for command, template_code in SmsCommand.objects.filter(account=self.account, brand__isnull=True).values_list(
                "command", "template__code"
            ):
                bound[command.upper()] = template_code
        for command, node in self.commands.items():
            other = bound.get(command)
            if other and other != node.get("reply_template"):
                self.add(node, "command", f"指令 {node.get('command')} 已绑定到模板 {other}", "command_taken")

    def _resolve_mini_accounts(self):
        if not self.mini_accounts:
            return
        types = self.lookups.account_types(self.mini_accounts)
        for code, nodes in self.mini_accounts.items():
            if types.get(code) != ChannelAccount.Type.WECHAT_MINIPROGRAM:
                message = f"{code} 不是小程序账号" if code in types else f"小程序账号 {code} 不存在"
                for node in nodes:
                    self.add(node, "miniprogram.account", message, "not_miniprogram")

    def _resolve_articles(self):
        from content.reach import target_accounts

        found = list(Article.objects.filter(code__in=list(self.articles)))
        scheduled = self._scheduled_in_time(Article, {str(a.pk): a.code for a in found if not a.live})
        for article in found:
            nodes = self.articles.pop(article.code)
            if not article.live and article.code not in scheduled:
                message = f"图文 {article.code} 尚未发布"
            elif not target_accounts(article).filter(pk=self.account.pk).exists():
                message = f"图文 {article.code} 不发往此公众号"
            else:
                continue
            for node in nodes:
                self.add(node, "article", message, "article_unavailable")
        for code, nodes in self.articles.items():
            for node in nodes:
                self.add(node, "article", f"图文 {code} 不存在", "unknown_article")


def _served_to(node, brand):
    if node.get("hidden") or not node.get("valid", True):
        return False
    brands = node.get("brands") or []
    return not brands or (brand is not None and brand in brands)


def validate_tree(account, nodes, *, go_live_at=None, lookups=None):
    """Every channel-rule violation of a tree of node dicts for ``account`` (any
    source: snapshot, legacy export, API input), going live now or at ``go_live_at``;
    ``lookups`` (menus.lookups) shared by a pass over many trees and accounts."""
    check = _Check(account, go_live_at, lookups)
    if check.rules is None:
        return [RecordError(record=account.code, field="type", message=f"渠道类型 {account.type} 没有菜单", code="invalid")]
    if not isinstance(nodes, list):
        return [RecordError(record=account.code, field="nodes", message="节点须为列表", code="invalid")]
    nodes = normalise(nodes, keep_order=True)
    audiences = [None, *sorted({b for n, _, _ in walk(nodes) for b in (n.get("brands") or []) if isinstance(b, str)})]
    check.siblings(nodes, 1, audiences)
    for node, depth, parent in walk(nodes):
        if not isinstance(node["children"], list):
            check.add(node, "children", "下级节点须为列表", "invalid")
            node = {**node, "children": []}
        check.node(node, depth, parent)
        if node["children"]:
            check.siblings(node["children"], depth + 1, audiences)
    check.resolve()
    return check.errors


def validate_menu_fields(menu):
    """Menu metadata: a variant needs a base menu of the same account to override."""
    errors = {}
    if menu.brand_id and menu.account_id:
        from menus.models import Menu

        base = Menu.objects.filter(account_id=menu.account_id, brand__isnull=True).exclude(pk=menu.pk)
        if not base.exists():
            errors["brand"] = ValidationError("请先为此账号建立基础菜单,品牌变体覆盖基础菜单的节点", code="no_base")
    if errors:
        raise ValidationError(errors)


def effective_tree(menu, tree):
    """The tree ``menu`` would serve: a variant's overrides merged over the base's
    published tree (or its draft before the base is first published)."""
    if not menu.is_variant:
        return tree
    from menus.services import live_version

    base = menu.base_menu()
    if base is None:
        return tree
    version = live_version(base)
    base_tree = version.tree if version else build_tree(load_rows(base))[0]
    return merge_variant(base_tree, tree)


def validate_for_publish(menu, tree, *, go_live_at=None):
    """Violations of publishing ``tree`` for ``menu`` (now, or scheduled at ``go_live_at``):
    the tree as served (a variant over its base; for a base menu, each live variant over
    the new base) to its own account and to each account it is rolled out to, with their
    variables."""
    from menus.account_checks import publish_violations

    return publish_violations(menu, tree, go_live_at=go_live_at)


def validate_draft(menu, *, go_live_at=None):
    """Violations of a menu's draft exactly as publishing it would find them (the
    editor's summary, its node marks and publish's refusal count the same ones)."""
    tree, structural = build_tree(load_rows(menu))
    return structural + validate_for_publish(menu, tree, go_live_at=go_live_at)
