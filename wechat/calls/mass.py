"""Mass sends (message/mass/*): preview to test followers, send to all followers or a
follower tag, read a send's status, delete a sent message.

A send carries a ``clientmsgid`` the caller keeps: after a lost answer the retry
repeats it and WeChat answers 45065 with the msg_id of the send that already went,
which is returned as the outcome, so no follower receives the message twice."""

from dataclasses import dataclass

from .. import limits
from ..errors import LimitViolation, PermanentError, TransientError
from ..limits import Violation

CLIENTMSGID_EXISTS = 45065
CLIENTMSGID_TOO_FAST = 45066
# message/mass/get's msg_status values.
MASS_STATUS = ("SENDING", "SEND_SUCCESS", "SEND_FAIL", "DELETE")


@dataclass(frozen=True)
class MassMessage:
    """What a mass send carries: a news draft (``mpnews``, its media_id) or a text."""

    msgtype: str
    media_id: str = ""
    content: str = ""

    def payload(self):
        if self.msgtype == "mpnews":
            return {"msgtype": "mpnews", "mpnews": {"media_id": self.media_id}}
        return {"msgtype": "text", "text": {"content": self.content}}

    def violations(self):
        if self.msgtype not in limits.MASS_MSGTYPES:
            return [Violation("msgtype", f"不支持的群发类型 {self.msgtype}", 40008)]
        if self.msgtype == "mpnews" and not self.media_id:
            return [Violation("mpnews.media_id", "图文群发缺少草稿 media_id", 40007)]
        if self.msgtype == "text" and not self.content.strip():
            return [Violation("text.content", "文本群发的内容不能为空", 44003)]
        return []


@dataclass(frozen=True)
class MassSubmission:
    msg_id: str
    msg_data_id: str = ""
    repeated: bool = (
        False  # WeChat already had this clientmsgid: the earlier send stands
    )


def _check(endpoint, message, clientmsgid=None):
    violations = message.violations()
    if clientmsgid is not None and not clientmsgid:
        violations.append(
            Violation("clientmsgid", "群发必须带 clientmsgid(防重复)", 40035)
        )
    if (
        clientmsgid
        and len(clientmsgid.encode("utf-8")) > limits.MASS_CLIENTMSGID_MAX_BYTES
    ):
        violations.append(
            Violation(
                "clientmsgid",
                f"clientmsgid 最多 {limits.MASS_CLIENTMSGID_MAX_BYTES} 字节",
                45067,
            )
        )
    if violations:
        raise LimitViolation(endpoint, violations)


class MassCalls:
    def preview_mass(
        self, message: MassMessage, *, touser: str = "", towxname: str = ""
    ) -> str:
        """msg_id of a preview sent to one follower (``touser``, an openid of this
        account) or a WeChat id (``towxname``, which WeChat prefers when both are set)."""
        _check("message/mass/preview", message)
        if not (touser or towxname):
            raise LimitViolation(
                "message/mass/preview",
                [Violation("touser", "预览需要 OpenID 或微信号", 40003)],
            )
        body = message.payload()
        if towxname:
            body["towxname"] = towxname
        else:
            body["touser"] = touser
        return str(self._call("message/mass/preview", json_body=body).get("msg_id", ""))

    def send_mass(
        self,
        message: MassMessage,
        *,
        clientmsgid: str,
        tag_id: int | None = None,
        send_ignore_reprint: bool = False,
    ) -> MassSubmission:
        """Submit a mass send to every follower (``tag_id`` None) or to one tag's."""
        _check("message/mass/sendall", message, clientmsgid)
        body = {
            "filter": {"is_to_all": True}
            if tag_id is None
            else {"is_to_all": False, "tag_id": int(tag_id)},
            **message.payload(),
            "send_ignore_reprint": 1 if send_ignore_reprint else 0,
            "clientmsgid": clientmsgid,
        }
        try:
            answer = self._call("message/mass/sendall", json_body=body)
        except PermanentError as exc:
            earlier = (exc.answer or {}).get("msg_id")
            if exc.errcode == CLIENTMSGID_EXISTS and earlier:
                return MassSubmission(msg_id=str(earlier), repeated=True)
            if exc.errcode == CLIENTMSGID_TOO_FAST:
                # The first try is still being taken in: ask again in a minute.
                raise TransientError(exc.errcode, exc.errmsg, exc.endpoint) from None
            raise
        return MassSubmission(
            msg_id=str(answer["msg_id"]),
            msg_data_id=str(answer.get("msg_data_id") or ""),
        )

    def get_mass(self, msg_id: str) -> str:
        """The send's msg_status (SENDING, SEND_SUCCESS, SEND_FAIL or DELETE)."""
        return str(
            self._call("message/mass/get", json_body={"msg_id": str(msg_id)}).get(
                "msg_status", ""
            )
        )

    def delete_mass(self, msg_id: str, article_idx: int = 0) -> None:
        """Delete a sent message (``article_idx`` 0) or its article at that position (from 1)."""
        self._call(
            "message/mass/delete",
            json_body={"msg_id": str(msg_id), "article_idx": int(article_idx)},
        )
