"""Passive replies WeChat accepts within its 5-second window: text, single-article
news and an image (a permanent material's media_id), plain or sealed in the
safe-mode envelope."""

import re

from .crypto import signature

SUCCESS = b"success"
# WeChat refuses passive text replies of 2,048 bytes or more.
TEXT_LIMIT_BYTES = 2048
ELLIPSIS = "…"
# Characters XML 1.0 cannot carry even inside CDATA.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clip_text(text):
    """``text`` cut at a character boundary so its UTF-8 stays under the limit."""
    text = _XML_ILLEGAL.sub("", text or "")
    encoded = text.encode("utf-8")
    if len(encoded) < TEXT_LIMIT_BYTES:
        return text
    budget = TEXT_LIMIT_BYTES - 1 - len(ELLIPSIS.encode("utf-8"))
    return encoded[:budget].decode("utf-8", "ignore") + ELLIPSIS


def _cdata(value):
    value = _XML_ILLEGAL.sub("", value or "")
    # "]]>" would close the section early: split it across two sections.
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _head(to_user, from_user, msg_type, now):
    return (
        f"<xml><ToUserName>{_cdata(to_user)}</ToUserName><FromUserName>{_cdata(from_user)}</FromUserName>"
        f"<CreateTime>{now}</CreateTime><MsgType>{_cdata(msg_type)}</MsgType>"
    )


def text_reply(to_user, from_user, content, now):
    body = _head(to_user, from_user, "text", now) + f"<Content>{_cdata(clip_text(content))}</Content></xml>"
    return body.encode("utf-8")


def news_reply(to_user, from_user, article, now):
    """One article: ``article`` has title, description, pic_url and url."""
    item = (
        f"<item><Title>{_cdata(article['title'])}</Title><Description>{_cdata(article['description'])}</Description>"
        f"<PicUrl>{_cdata(article['pic_url'])}</PicUrl><Url>{_cdata(article['url'])}</Url></item>"
    )
    body = _head(to_user, from_user, "news", now) + f"<ArticleCount>1</ArticleCount><Articles>{item}</Articles></xml>"
    return body.encode("utf-8")


def image_reply(to_user, from_user, media_id, now):
    body = _head(to_user, from_user, "image", now) + f"<Image><MediaId>{_cdata(media_id)}</MediaId></Image></xml>"
    return body.encode("utf-8")


def render(answer, inbound):
    """The reply bytes of a compiled answer to an inbound message: a function of the two
    (CreateTime is the message's own; WeChat asks only for an integer timestamp), so a
    retry answered while nothing was published gets the same bytes."""
    now = inbound.create_time
    # The reply goes back to the sender, from the account the message was sent to.
    if answer.reply_type == "news":
        return news_reply(inbound.from_user, inbound.to_user, answer.article, now)
    if answer.reply_type == "image":
        return image_reply(inbound.from_user, inbound.to_user, answer.media_id, now)
    return text_reply(inbound.from_user, inbound.to_user, answer.text, now)


def sealed(reply, crypto, token, inbound):
    """The safe-mode envelope of a plain reply to ``inbound``: its bytes a function of the
    two, as the plain reply's (the timestamp is the message's CreateTime)."""
    timestamp = str(inbound.create_time)
    prefix, nonce = crypto.reply_prefix_and_nonce(inbound.delivery_id, reply)
    encrypted = crypto.seal(reply, prefix)
    sig = signature(token, timestamp, nonce, encrypted)
    body = (
        f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt><MsgSignature><![CDATA[{sig}]]></MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>"
    )
    return body.encode("ascii")
