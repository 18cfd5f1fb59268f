"""Progress of an import: a bar per list on a terminal, plain lines otherwise."""

import time


class Progress:
    """Reports steps of each list to ``stream`` (anything with ``write`` and ``isatty``)."""

    BAR_WIDTH = 30

    def __init__(self, stream, tty=None):
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.name, self.total, self.done, self.started = "", 0, 0, 0.0
        self._last_draw = 0.0

    def start(self, name, total):
        self.name, self.total, self.done = name, total, 0
        self.started = self._last_draw = time.monotonic()
        if not self.tty:
            self._write(f"{name}: {total} records\n")
        else:
            self._draw()

    def advance(self, n=1):
        self.done = min(self.total, self.done + n)
        now = time.monotonic()
        if self.tty and (now - self._last_draw > 0.1 or self.done == self.total):
            self._last_draw = now
            self._draw()

    def finish(self, summary):
        elapsed = time.monotonic() - self.started
        if self.tty:
            self.done = self.total
            self._draw()
            self._write(f"  {summary} ({elapsed:.1f}s)\n")
        else:
            self._write(f"{self.name}: {summary} ({elapsed:.1f}s)\n")

    def _draw(self):
        filled = self.BAR_WIDTH * self.done // self.total if self.total else self.BAR_WIDTH
        bar = "#" * filled + "-" * (self.BAR_WIDTH - filled)
        self._write(f"\r{self.name:<18} [{bar}] {self.done}/{self.total}")

    def _write(self, text):
        self.stream.write(text)
        if hasattr(self.stream, "flush"):
            self.stream.flush()


class SilentProgress(Progress):
    def __init__(self):
        super().__init__(stream=None, tty=False)

    def _write(self, text):
        pass
