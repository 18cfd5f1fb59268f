"""An emulator of WeChat's official-account server API for tests and the local demo.

Plain WSGI, no Django: ``EmulatorServer(port=...).start()`` serves it in a thread,
``python manage.py wechat_emulator`` in the foreground. State lives in memory;
``/_emulator/state`` (JSON) and ``/_emulator/`` (HTML) show it."""

from .app import EmulatorApp
from .server import EmulatorServer
from .state import Account, Config, EmulatorState

__all__ = ["Account", "Config", "EmulatorApp", "EmulatorServer", "EmulatorState"]
