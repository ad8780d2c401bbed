import sys
import time


class Progress:
    """A one-line counter with an ETA on a terminal; silent when output is redirected."""

    def __init__(self, total, stream=None, label="importing"):
        self.total, self.done, self.label = total, 0, label
        self.stream = stream or sys.stderr
        self.enabled = total > 1 and getattr(self.stream, "isatty", lambda: False)()
        self.started = time.monotonic()

    def step(self):
        self.done += 1
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        eta = elapsed / self.done * (self.total - self.done)
        width = 30
        filled = width * self.done // self.total
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total} ETA {eta:4.0f}s")
        if self.done == self.total:
            self.stream.write("\n")
        self.stream.flush()
