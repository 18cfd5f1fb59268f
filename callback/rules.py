"""An account's published replies compiled for answering: exact keywords in a dict,
contains-keywords in precedence order, click replies by event key, the welcome and
the default reply. Built from the cached table (see ``table``), never from the
editing tables, so answering costs no SQL."""

import logging
from dataclasses import dataclass

from content.secrets import decrypt
from content.services.replies import normalise_keyword

from .crypto import EnvelopeError, MessageCrypto, decode_aes_key

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Answer:
    """The rule that answers and what it says."""

    rule_id: int
    kind: str
    label: str
    reply_type: str  # "text", "news" or "image"
    text: str = ""
    article: dict | None = None
    media_id: str = ""


def _answer(rule):
    return Answer(
        rule_id=rule["id"],
        kind=rule["kind"],
        label=rule["keyword"] or rule["event_key"],
        reply_type=rule["reply_type"],
        text=rule.get("text", ""),
        article=rule.get("article"),
        media_id=rule.get("media_id", ""),
    )


def _crypto(aes_key, app_id, code):
    if not aes_key:
        return None
    try:
        return MessageCrypto(decode_aes_key(aes_key), app_id)
    except EnvelopeError:
        # Safe-mode requests of this account will be refused; plain mode still works.
        logger.warning("EncodingAESKey of account %s is not valid base64 of 32 bytes", code)
        return None


class ReplyTable:
    """One account's compiled replies and credentials (held per process)."""

    def __init__(self, data):
        self.generation = data["generation"]
        self.checked_at = float("-inf")
        self.account_id = data["account_id"]
        self.code = data["code"]
        self.app_id = data["app_id"]
        # Why the account's secrets could not be read (the callback refuses), or "".
        self.unreadable = data.get("unreadable", "")
        self.token = decrypt(data["token"])
        self.crypto = _crypto(decrypt(data["aes_key"]), self.app_id, self.code)
        self.exact = {}
        self.contains = []
        self.click = {}
        self.subscribe = None
        self.default = None
        # Rules arrive already merged across the shared sets (a nearer owner's rule
        # replaced the others of its slot) and ordered by priority (high first) then
        # id: the first one of each slot wins.
        for rule in data["rules"]:
            answer = _answer(rule)
            kind = rule["kind"]
            if kind == "keyword":
                keyword = normalise_keyword(rule["keyword"])
                if not keyword:
                    continue
                if rule["match"] == "exact":
                    self.exact.setdefault(keyword, answer)
                else:
                    self.contains.append((keyword, answer))
            elif kind == "click" and rule["event_key"]:
                self.click.setdefault(rule["event_key"], answer)
            elif kind == "subscribe" and self.subscribe is None:
                self.subscribe = answer
            elif kind == "default" and self.default is None:
                self.default = answer

    def for_text(self, content):
        """Exact keywords before contains-keywords, each by priority; then the default."""
        text = normalise_keyword(content)
        if text:
            answer = self.exact.get(text)
            if answer is not None:
                return answer
            for keyword, answer in self.contains:
                if keyword in text:
                    return answer
        return self.default

    def answer(self, inbound):
        """The Answer for a message or event, or None for a plain "success"."""
        if inbound.msg_type == "text":
            return self.for_text(inbound.content)
        if inbound.msg_type != "event":
            # Pictures, voice, video, locations and links get the default reply.
            return self.default
        event = inbound.event.lower()
        if event == "subscribe":
            return self.subscribe
        if event == "click":
            return self.click.get(inbound.event_key)
        return None
