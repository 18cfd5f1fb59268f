"""The PUBLISHJOBFINISH event the emulator sends when a publish job finishes.

Plain XML (no encryption), POSTed to the account's callback URL: its
``callback_url``, or ``callback_base + /wechat/<code or appid>/``. When the account
has a callback token, the query carries WeChat's ``signature``/``timestamp``/``nonce``
(sha1 of the sorted token, timestamp and nonce) so receivers verify it as usual."""

import hashlib
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from xml.sax.saxutils import escape

TIMEOUT = 5.0


def callback_url(account, callback_base):
    if account.callback_url:
        return account.callback_url
    if not callback_base:
        return ""
    return f"{callback_base.rstrip('/')}/wechat/{account.code or account.appid}/"


def _cdata(value):
    return "<![CDATA[" + str(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


cdata = _cdata  # for the other events' XML (templates.py)


def publish_event_xml(account, job, now=None):
    """The documented event: ToUserName, FromUserName (mphelper), CreateTime, MsgType,
    Event and PublishEventInfo (publish_id, publish_status, article_id,
    article_detail with count/item idx/article_url, or fail_idx)."""
    info = [f"<publish_id>{escape(job['publish_id'])}</publish_id>",
            f"<publish_status>{int(job['publish_status'])}</publish_status>"]
    if job["publish_status"] == 0:
        info.append(f"<article_id>{_cdata(job['article_id'])}</article_id>")
        items = "".join(
            f"<item><idx>{item['idx']}</idx><article_url>{_cdata(item['article_url'])}</article_url></item>"
            for item in job["article_detail"]["item"]
        )
        info.append(f"<article_detail><count>{job['article_detail']['count']}</count>{items}</article_detail>")
    else:
        info.extend(f"<fail_idx>{int(idx)}</fail_idx>" for idx in job["fail_idx"])
    return (
        "<xml>"
        f"<ToUserName>{_cdata(account.original_id or 'gh_' + account.appid[-12:])}</ToUserName>"
        f"<FromUserName>{_cdata('mphelper')}</FromUserName>"
        f"<CreateTime>{int(now or time.time())}</CreateTime>"
        f"<MsgType>{_cdata('event')}</MsgType>"
        f"<Event>{_cdata('PUBLISHJOBFINISH')}</Event>"
        f"<PublishEventInfo>{''.join(info)}</PublishEventInfo>"
        "</xml>"
    )


def signed_url(url, token):
    if not token:
        return url
    timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    query = urllib.parse.urlencode({"signature": signature, "timestamp": timestamp, "nonce": nonce})
    return f"{url}{'&' if '?' in url else '?'}{query}"


def send(url, token, body):
    """POST the event; returns (HTTP status or None, error text)."""
    request = urllib.request.Request(
        signed_url(url, token), data=body.encode("utf-8"), method="POST",
        headers={"Content-Type": "text/xml; charset=utf-8", "User-Agent": "Mozilla/4.0 (WeChat emulator)"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        return None, str(getattr(exc, "reason", exc))
