"""The emulator as a plain WSGI application (no Django): WeChat's API under
``/cgi-bin/`` and the emulator's own controls and inspection under ``/_emulator/``.

Every API call goes through the same steps as at WeChat: method, access token,
account permissions, faults (scripted or random), quotas, then the handler; a
"lost response" commits the handler's work and then drops the connection."""

import email
import email.policy
import json
import secrets
import threading
import time
from html import escape
from urllib.parse import parse_qs

from . import callbacks, freepublish, handlers, mass, menus
from .page import render_page
from .state import ApiError

ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40007: "invalid media_id",
    42001: "access_token expired",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit  mustslower  retry next minute",
    45064: "no permission to use weapp in menu",
    45103: "This API has been unsupported",
    48001: "api unauthorized",
}


class DropConnection(Exception):
    """Close the connection without an answer (the work is already committed)."""


class Request:
    def __init__(self, environ):
        self.method = environ.get("REQUEST_METHOD", "GET")
        self.path = environ.get("PATH_INFO", "") or "/"
        self.query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).items()}
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.body = environ["wsgi.input"].read(length) if length else b""
        self.content_type = environ.get("CONTENT_TYPE", "")
        self._json = None
        self._files = None
        self._filenames = {}

    def json(self):
        if self._json is None:
            try:
                data = json.loads(self.body.decode("utf-8")) if self.body.strip() else {}
            except (UnicodeDecodeError, ValueError):
                raise ApiError(47001, "data format error") from None
            if not isinstance(data, dict):
                raise ApiError(47001, "data format error")
            self._json = data
        return self._json

    def file(self, name):
        if self._files is None:
            self._files = {}
            if self.content_type.startswith("multipart/form-data"):
                head = f"Content-Type: {self.content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
                message = email.message_from_bytes(head + self.body, policy=email.policy.HTTP)
                for part in message.iter_parts():
                    field = part.get_param("name", header="content-disposition")
                    if field:
                        self._files[field] = part.get_payload(decode=True)
                        self._filenames[field] = part.get_filename() or ""
        return self._files.get(name)

    def filename(self, name):
        self.file(name)
        return self._filenames.get(name, "")


def _json_response(data, status="200 OK"):
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return status, [("Content-Type", "application/json; encoding=utf-8")], body


class EmulatorApp:
    def __init__(self, state):
        self.state = state

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path.startswith("/cgi-bin/"):
            status, headers, body = self.api(request)
        elif request.path.startswith("/_emulator"):
            status, headers, body = self.control(request)
        else:
            status, headers, body = _json_response({"errcode": 404, "errmsg": "not found"}, "404 Not Found")
        start_response(status, headers + [("Content-Length", str(len(body)))])
        return [body]

    # -- WeChat's API ------------------------------------------------------------------

    def api(self, request):
        endpoint = request.path[len("/cgi-bin/"):].strip("/")
        route = handlers.ROUTES.get(endpoint)
        if route is None:
            return _json_response({"errcode": 404, "errmsg": f"unknown api {endpoint}"}, "404 Not Found")
        method, handler = route
        state, config = self.state, self.state.config
        try:
            if request.method != method:
                raise ApiError(43002 if method == "POST" else 43001, f"require {method} method")
            if endpoint == "stable_token":
                appid = str(request.json().get("appid", ""))
            else:
                appid = state.appid_for_token(request.query.get("access_token", ""))
            with state.lock:
                state.calls[appid][endpoint] += 1
            fault = state.take_scripted(endpoint, appid)
            delay = fault.delay_ms if fault and fault.delay_ms else (config.slow_ms if state.chance(config.slow_rate) else 0)
            if delay:
                time.sleep(delay / 1000)
            if endpoint != "stable_token":
                account = state.account(appid)
                if endpoint in account.unsupported_apis:
                    raise ApiError(45103, ERRMSG[45103])
                if endpoint in account.unauthorized_apis:
                    raise ApiError(48001, ERRMSG[48001])
            if fault and fault.errcode:
                raise ApiError(fault.errcode, ERRMSG.get(fault.errcode, "scripted error"))
            if state.chance(config.fault_rate):
                raise ApiError(-1, ERRMSG[-1])
            if endpoint != "stable_token" and state.chance(config.expire_token_rate):
                state.expire_tokens(appid)
                raise ApiError(42001, ERRMSG[42001])
            with state.lock:
                state.charge_quota(appid, endpoint)
                try:
                    answer = handler(state, appid, request)
                except (AttributeError, KeyError, TypeError, ValueError):
                    # A body of the wrong shape: WeChat answers 47001 too.
                    raise ApiError(47001, "data format error") from None
            if endpoint == "freepublish/submit":
                self.schedule_finish(answer["publish_id"], config.publish_delay_ms)
            if endpoint == "message/mass/sendall":
                mass.schedule_finish(state, appid, answer)
            if (fault and fault.lose_response) or state.chance(config.lose_response_rate):
                with state.lock:
                    state.dropped += 1
                raise DropConnection(endpoint)
        except ApiError as error:
            answer = {"errcode": error.errcode, "errmsg": f"{error.errmsg} rid: {secrets.token_hex(12)}"}
        return _json_response(answer)

    # -- publish jobs and their callback -----------------------------------------------

    def schedule_finish(self, publish_id, delay_ms):
        timer = threading.Timer(max(0, delay_ms) / 1000, self.finish, args=(publish_id,))
        timer.daemon = True
        timer.start()

    def finish(self, publish_id, status=None, fail_idx=None):
        """Finish the job now and send PUBLISHJOBFINISH to the account's callback URL."""
        state = self.state
        with state.lock:
            job = handlers.finish_job(state, publish_id, status, fail_idx)
            if job is None:
                return None
            account = state.account(job["appid"])
            url = callbacks.callback_url(account, state.config.callback_base)
            body = callbacks.publish_event_xml(account, job) if url else ""
        if url:
            code, error = callbacks.send(url, account.callback_token, body)
            with state.lock:
                state.callbacks.append({"publish_id": publish_id, "appid": job["appid"], "url": url,
                                        "publish_status": job["publish_status"], "http_status": code,
                                        "error": error, "at": time.time()})
        return job

    # -- the emulator's own controls -----------------------------------------------------

    def control(self, request):
        path, state = request.path.rstrip("/") or "/_emulator", self.state
        try:
            if request.method == "GET":
                return self._inspect(path)
            body = request.json()
            if path == "/_emulator/reset":
                state.reset()
            elif path == "/_emulator/config":
                state.configure(**body)
            elif path == "/_emulator/accounts":
                appid = body.pop("appid", "")
                if not appid:
                    raise ApiError(41002, "appid missing")
                state.register(appid, **body)
            elif path == "/_emulator/faults":
                state.script(**body)
            elif path == "/_emulator/tokens/expire":
                state.expire_tokens(body.get("appid", ""))
            elif path == "/_emulator/tokens/invalidate":
                state.invalidate_tokens(body.get("appid", ""))
            elif path.startswith(menus.PREFIX):
                menus.replace_menus(state, path[len(menus.PREFIX):], body)
            elif path == "/_emulator/publish/finish":
                job = self.finish(str(body.get("publish_id", "")), body.get("publish_status"), body.get("fail_idx"))
                if job is None:
                    raise ApiError(40007, "no running publish job with this publish_id")
            elif not freepublish.control(state, path, body) and not mass.control(state, path, body):
                return _json_response({"errcode": 404, "errmsg": "not found"}, "404 Not Found")
        except ApiError as error:
            return _json_response({"errcode": error.errcode, "errmsg": error.errmsg}, "400 Bad Request")
        except TypeError as error:
            return _json_response({"errcode": 40035, "errmsg": f"invalid parameter: {error}"}, "400 Bad Request")
        return _json_response({"errcode": 0, "errmsg": "ok"})

    def _inspect(self, path):
        state = self.state
        if path == "/_emulator/state":
            return _json_response({**state.snapshot(), "mass": mass.snapshot(state)})
        if path == "/_emulator":
            html = render_page(state.snapshot()).encode("utf-8")
            return "200 OK", [("Content-Type", "text/html; charset=utf-8")], html
        prefix, _, name = path.rpartition("/")
        with state.lock:
            if prefix == "/_emulator/media" and name in state.images:
                image = state.images[name]
                return "200 OK", [("Content-Type", f"image/{image['format']}")], image["bytes"]
            article = (state.drafts.get(name) if prefix == "/_emulator/drafts"
                       else state.published.get(name) if prefix == "/_emulator/articles" else None)
            if article:
                body = "".join(f"<article><h1>{escape(i['title'])}</h1>{i['content']}</article>"
                               for i in article["news_item"])
                page = f"<!doctype html><meta charset=utf-8><title>{escape(name)}</title>{body}"
                return "200 OK", [("Content-Type", "text/html; charset=utf-8")], page.encode("utf-8")
        return _json_response({"errcode": 404, "errmsg": "not found"}, "404 Not Found")
