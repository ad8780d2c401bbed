import sys
import time

WIDTH = 30


class Progress:
    """A one-line bar on a terminal: items so far, rate, and an ETA from the input bytes read.

    Silent when the stream is not a terminal (logs, CI, pipes).
    """

    def __init__(self, stream=None, total_bytes=0):
        self.stream = stream or sys.stderr
        self.enabled = getattr(self.stream, "isatty", lambda: False)()
        self.total_bytes, self.done_bytes, self.items = total_bytes, 0, 0
        self.current = None
        self.started = time.monotonic()
        self.last_draw = 0.0

    def start(self, payload):
        if self.current is not None:
            self.done_bytes += self.current.size
        self.current = payload

    def step(self):
        self.items += 1
        now = time.monotonic()
        if self.enabled and now - self.last_draw > 0.1:
            self.last_draw = now
            self.draw(now)

    def fraction(self):
        if not self.total_bytes:
            return None
        read = self.done_bytes + (self.current.bytes_read if self.current else 0)
        return min(read / self.total_bytes, 1.0)

    def draw(self, now):
        elapsed = now - self.started
        rate = self.items / elapsed if elapsed else 0.0
        fraction = self.fraction()
        if fraction:
            filled = int(WIDTH * fraction)
            eta = elapsed / fraction * (1 - fraction)
            line = f"[{'#' * filled}{'-' * (WIDTH - filled)}] {fraction:4.0%} {self.items} items, {rate:.0f}/s, ETA {eta:.0f}s"
        else:
            line = f"{self.items} items, {rate:.0f}/s"
        self.stream.write(f"\r{line:<80}")
        self.stream.flush()

    def close(self):
        if self.enabled and self.items:
            self.draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
