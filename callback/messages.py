"""Inbound WeChat XML: parsed with defusedxml (no DTD, no entities, no external
references), bounded in size, and reduced to the few fields the endpoint uses."""

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple
from xml.etree.ElementTree import Element, ParseError, SubElement

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

# WeChat's messages are a few kilobytes at most; anything larger is not WeChat.
MAX_BODY_BYTES = 32 * 1024
# OpenIDs are 28 characters of [A-Za-z0-9_-]; original ids are gh_ + hex.
USER_NAME = re.compile(r"^[A-Za-z0-9_\-@.]{1,64}$")
MAX_FIELD_CHARS = 4096
# The job fields of a message that has none: empty, and no one's to change.
_NONE = MappingProxyType({})


class MalformedMessage(ValueError):
    """The body is not a WeChat message this endpoint accepts (answered with 400)."""


class Inbound(NamedTuple):
    """One message or event as WeChat delivered it (immutable; a named tuple, as a frozen
    dataclass's construction was a third of reading a message)."""

    to_user: str
    from_user: str
    create_time: int
    msg_type: str
    msg_id: str = ""
    content: str = ""
    event: str = ""
    event_key: str = ""
    publish: Mapping = _NONE
    mass: Mapping = _NONE
    template_job: Mapping = _NONE

    @property
    def delivery_id(self):
        """What WeChat keeps when it retries: MsgId, or FromUserName + CreateTime for events
        (with the event, and for publish jobs their id: two jobs may end in one second)."""
        if self.msg_id:
            return f"m:{self.msg_id}"
        if self.publish:
            return f"p:{self.publish['publish_id']}:{self.publish['status']}"
        if self.mass:
            return f"x:{self.mass['msg_id']}"
        if self.template_job:
            return f"t:{self.template_job['msg_id']}"
        return f"e:{self.from_user}:{self.create_time}:{self.event}"


# The form WeChat's messages take: <xml>, then flat fields, each one CDATA section or
# plain text, then </xml>. No prolog, attribute, nesting, reference or carriage return,
# and only characters XML allows, so the fields read here are exactly what an XML
# parser reads; any other body, well-formed or not, goes to defusedxml.
_FLAT_FIELD = re.compile(
    r"[ \t\n]*<([A-Za-z_][A-Za-z0-9_]{0,63})>"
    r"(?:<!\[CDATA\[([^\]]*(?:\](?!\]>)[^\]]*)*)\]\]>|([^<>&]*))</\1>")
_FLAT_END = re.compile(r"[ \t\n]*</xml>[ \t\n]*\Z")
# The control characters XML forbids, and carriage return: deleted from a copy of the
# body, whose length then tells (a third of a regular expression's search, the whole
# body scanned either way). U+FFFE and U+FFFF are looked for in the text.
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, 0x0D, *range(0x0E, 0x20)])


def _flat_root(body):
    """The root of a body in WeChat's flat form, or None to leave it to the XML parser."""
    if not body.startswith(b"<xml>") or len(body.translate(None, _CONTROL_BYTES)) != len(body):
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\ufffe" in text or "\uffff" in text:
        return None
    root = Element("xml")
    position = 5
    while True:
        found = _FLAT_FIELD.match(text, position)
        if found is None:
            break
        name, cdata, plain = found.groups()
        SubElement(root, name).text = (cdata if plain is None else plain) or None
        position = found.end()
    return root if _FLAT_END.match(text, position) else None


def parse_root(body):
    """The <xml> root of a body; MalformedMessage on anything hostile or broken."""
    if not body:
        raise MalformedMessage("empty body")
    if len(body) > MAX_BODY_BYTES:
        raise MalformedMessage("body too large")
    root = _flat_root(body)
    if root is not None:
        return root
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise MalformedMessage(f"not acceptable XML ({type(exc).__name__})") from None
    if root.tag != "xml":
        raise MalformedMessage("root element must be <xml>")
    return root


def _text(root, name, required=False):
    node = root.find(name)
    value = (node.text or "").strip() if node is not None else ""
    if required and not value:
        raise MalformedMessage(f"{name} is missing")
    if len(value) > MAX_FIELD_CHARS:
        raise MalformedMessage(f"{name} is too long")
    return value


def _int(root, name, required=False):
    value = _text(root, name, required)
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 20:
        raise MalformedMessage(f"{name} must be a number")
    return int(value)


def encrypted_part(root):
    """The base64 <Encrypt> text of a safe- or compatible-mode body."""
    return _text(root, "Encrypt", required=True)


def _publish_info(root):
    info = root.find("PublishEventInfo")
    if info is None:
        raise MalformedMessage("PublishEventInfo is missing")
    publish_id = _text(info, "publish_id", required=True)
    status = _int(info, "publish_status", required=True)
    fail_idx = []
    for node in info.findall("fail_idx"):
        value = (node.text or "").strip()
        if not value.isascii() or not value.isdigit():
            raise MalformedMessage("fail_idx must be numbers")
        fail_idx.append(int(value))
    urls = [
        (item.findtext("article_url") or "").strip()
        for item in info.findall("article_detail/item")
    ]
    return {
        "publish_id": publish_id,
        "status": status,
        "article_id": _text(info, "article_id"),
        "fail_idx": fail_idx,
        "article_urls": [url for url in urls if url],
    }


def _mass_info(root):
    """The MASSSENDJOBFINISH fields; WeChat writes Status as "send success",
    "sendsuccess", "send fail" or "err(<code>)": kept with its spaces normalised."""
    counts = {}
    for name, key in (("TotalCount", "total_count"), ("FilterCount", "filter_count"),
                      ("SentCount", "sent_count"), ("ErrorCount", "error_count")):
        counts[key] = _int(root, name) or 0
    status = " ".join(_text(root, "Status", required=True).lower().split())
    status = {"sendsuccess": "send success", "sendfail": "send fail"}.get(status, status)
    return {"msg_id": str(_int(root, "MsgID", required=True)), "status": status, **counts}
def _template_job(root):
    """MsgID and Status of a TEMPLATESENDJOBFINISH event."""
    msg_id = _int(root, "MsgID", required=True)
    status = _text(root, "Status", required=True)
    if len(status) > 64:
        raise MalformedMessage("Status is too long")
    return {"msg_id": str(msg_id), "status": status}


def parse_message(root):
    """The Inbound of a plain message root."""
    to_user = _text(root, "ToUserName", required=True)
    from_user = _text(root, "FromUserName", required=True)
    for name, value in (("ToUserName", to_user), ("FromUserName", from_user)):
        if not USER_NAME.match(value):
            raise MalformedMessage(f"{name} is not a WeChat user name")
    msg_type = _text(root, "MsgType", required=True).lower()
    if not msg_type.isascii() or not msg_type.isalpha() or len(msg_type) > 32:
        raise MalformedMessage("MsgType is not a WeChat message type")
    msg_id = _int(root, "MsgId")
    event = _text(root, "Event") if msg_type == "event" else ""
    if msg_type == "event" and not event:
        raise MalformedMessage("Event is missing")
    publish = _publish_info(root) if event.upper() == "PUBLISHJOBFINISH" else {}
    mass = _mass_info(root) if event.upper() == "MASSSENDJOBFINISH" else {}
    template_job = _template_job(root) if event.upper() == "TEMPLATESENDJOBFINISH" else {}
    return Inbound(
        to_user=to_user,
        from_user=from_user,
        create_time=_int(root, "CreateTime", required=True),
        msg_type=msg_type,
        msg_id=str(msg_id) if msg_id is not None else "",
        content=_text(root, "Content") if msg_type == "text" else "",
        event=event,
        event_key=_text(root, "EventKey") if msg_type == "event" else "",
        publish=publish,
        mass=mass,
        template_job=template_job,
    )
