"""Serving the emulator: a threaded stdlib WSGI server that can drop a connection
without answering (the emulator's "lost response"), runnable in a thread (tests)
or in the foreground (``manage.py wechat_emulator``)."""

import logging
import re
import socket
import sys
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from .app import DropConnection, EmulatorApp
from .state import EmulatorState

log = logging.getLogger("wechat.emulator")
_TOKEN = re.compile(r"(access_token=)[^&\s]+")


class _ServerHandler(ServerHandler):
    dropped = False

    def handle_error(self):
        if isinstance(sys.exc_info()[1], DropConnection):
            self.dropped = True
            return
        super().handle_error()


class _RequestHandler(WSGIRequestHandler):
    def handle(self):
        # wsgiref's handle(), with a ServerHandler that can drop the connection.
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = _ServerHandler(self.rfile, self.wfile, self.get_stderr(), self.get_environ(), multithread=True)
        handler.request_handler = self
        handler.run(self.server.get_app())
        if handler.dropped:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def log_message(self, format, *args):
        # Request lines carry access tokens: never log them.
        log.debug("%s %s", self.address_string(), _TOKEN.sub(r"\1***", format % args))


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class EmulatorServer:
    """The emulator on ``host:port`` (port 0 picks a free one)."""

    def __init__(self, host="127.0.0.1", port=0, state=None):
        self.state = state or EmulatorState()
        self.app = EmulatorApp(self.state)
        self.httpd = _ThreadingServer((host, port), _RequestHandler)
        self.httpd.set_app(self.app)
        self.host, self.port = self.httpd.server_address[:2]
        self.state.public_base = self.base_url
        self._thread = None

    @property
    def base_url(self):
        return f"http://{self.host}:{self.port}"

    def start(self):
        """Serve in a daemon thread; returns self."""
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="wechat-emulator", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        self.httpd.serve_forever()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)
