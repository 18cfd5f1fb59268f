"""The SMS business-hall simulator: what a customer of a brand would get back for
the messages they send, from the published menu and the reply templates, with
sample parameter values. Digits walk the menu (0 back to the main menu); a
command answers from anywhere, also when its node is hidden from the listing.
Only LIVE templates answer, as on the real hall: a command answers with the
template bound for the customer's brand, else its default binding
(``content.services.sms_commands.resolve``), else the menu node's own template."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from content.models import ChannelAccount, SmsTemplate
from content.services.sms import fill
from content.services.sms_commands import brand_code, resolve_all
from content.services.sms_parameters import parse_declarations, sample_value
from content.services.sms_segments import count_segments
from menus.services import published_tree
from menus.tree import segment, walk

BACK = "0"


@dataclass(frozen=True)
class SimulationStep:
    input: str
    kind: str  # menu | reply | back | unknown | unavailable
    reply_text: str
    path: list = field(default_factory=list)  # [{"key", "name"}] from the main menu to the node reached
    template: str = ""
    parameters: dict = field(default_factory=dict)
    segments: int = 0


@dataclass(frozen=True)
class SimulationResult:
    reply_text: str
    path: list
    steps: list


def render_reply(template):
    """(text, parameters) of a reply template filled with the content app's sample values."""
    params, _problems = parse_declarations(template.parameters)
    values = {p.name: sample_value(p) for p in params}
    return fill(template.text or "", params, lambda p: values[p.name]), values


class _Session:
    def __init__(self, account, brand, tree):
        self.account = account
        self.brand = brand
        self.tree = tree
        self.current = None  # None: the main menu
        self.paths = {}
        self.commands = {}
        self.templates = {}
        self.bound = None
        for node, _, parent in walk(tree):
            self.paths[node["key"]] = [*self.paths.get(parent["key"], []), node] if parent else [node]
            if node["type"] == "command" and node.get("command"):
                self.commands[node["command"].upper()] = node

    def children(self):
        return self.current["children"] if self.current else self.tree

    def path_of(self, node):
        return [{"key": n["key"], "name": n["name"]} for n in self.paths.get(node["key"], [])] if node else []

    def listing(self):
        title = self.current["name"] if self.current else self.account.name
        lines = [f"{title}:"]
        for child in self.children():
            if child.get("hidden"):
                continue
            own = segment(child["key"])
            if own.isdigit():
                lines.append(f"{own}.{child['name']}")
            elif child.get("command"):
                lines.append(f"{child['name']}:回复{child['command']}")
        lines.append("回复序号进入,回复0返回主菜单" if self.current else "回复序号进入")
        return "\n".join(lines)

    def template(self, code):
        if code not in self.templates:
            self.templates[code] = SmsTemplate.objects.filter(code=code, live=True).first()
        return self.templates[code]

    def answering(self, node):
        if self.bound is None:  # every command of the tree for the brand, in one query
            self.bound = resolve_all(self.account, list(self.commands), self.brand)
        command = (node.get("command") or "").upper()
        return self.bound.get(command) or self.template(node.get("reply_template"))

    def reply(self, text, node):
        template = self.answering(node)
        if template is None and SmsTemplate.objects.filter(code=node.get("reply_template")).exists():
            return SimulationStep(text, "unknown", f"回复模板 {node.get('reply_template')} 未发布", self.path_of(node))
        if template is None:
            return SimulationStep(text, "unknown", f"回复模板 {node.get('reply_template')} 不存在", self.path_of(node))
        body, values = render_reply(template)
        return SimulationStep(text, "reply", body, self.path_of(node), template.code, values)

    def step(self, text):
        message = text.strip()
        if message == BACK:
            self.current = None
            return SimulationStep(text, "back", self.listing())
        for child in self.children():
            if not child.get("hidden") and segment(child["key"]) == message:
                if child["type"] == "submenu":
                    self.current = child
                    return SimulationStep(text, "menu", self.listing(), self.path_of(child))
                return self.reply(text, child)
        node = self.commands.get(message.upper())
        if node is not None:
            return self.reply(text, node)
        return SimulationStep(text, "unknown", "您发送的指令有误。" + self.listing(), self.path_of(self.current))


def simulate(account, brand, inputs):
    """Replay ``inputs`` (what the customer sends, in order) against the published
    SMS menu of ``account`` as seen by ``brand`` (Brand, code or None)."""
    if account.type != ChannelAccount.Type.SMS:
        raise ValidationError({"account": ValidationError(f"{account.code} 不是短信营业厅账号", code="not_sms")})
    tree = published_tree(account, brand, include_hidden=True)
    steps = []
    if not tree:
        steps = [SimulationStep(text, "unavailable", "此账号尚无已发布的短信菜单") for text in inputs]
    else:
        session = _Session(account, brand_code(brand), tree)
        steps = [session.step(text) for text in inputs]
    signature = account.signature or ""
    steps = [
        SimulationStep(s.input, s.kind, f"{signature}{s.reply_text}", s.path, s.template, s.parameters,
                       count_segments(f"{signature}{s.reply_text}").segments)
        for s in steps
    ]
    if not steps:
        return SimulationResult(reply_text="", path=[], steps=[])
    return SimulationResult(reply_text=steps[-1].reply_text, path=steps[-1].path, steps=steps)
