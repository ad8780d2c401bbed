"""Expand the command's PATH arguments into payloads: files, directories, standard input and URLs."""

import io
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from django.conf import settings

from articles.transfer.importers.records import BadInput

IMPORTABLE_SUFFIXES = {".txt", ".text", ".md", ".xml", ".rss", ".atom", ".json", ".jsonl", ".ndjson"}
# Formats read whole (all but WXR, which streams) refuse inputs larger than this.
MAX_IN_MEMORY_BYTES = 256 * 1024 * 1024
CHUNK = 64 * 1024
ACCEPTED_TYPES = (
    "text/plain",
    "text/xml",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/json",
    "application/x-ndjson",
    "application/jsonl",
    "application/ninjs+json",
    "application/octet-stream",
)


@dataclass
class Payload:
    name: str  # what error messages call it: a path, "<stdin>" or a URL
    external_id: str | None = None  # for one-story-per-file formats; None: derived from the content
    path: Path | None = None
    content: bytes | None = None
    content_type: str = ""  # the HTTP Content-Type of a downloaded input, charset included
    encoding: str = ""  # how a reader decoded it, e.g. "windows-1251 (detected)", for the command's summary

    bytes_read: int = 0  # how far a streaming reader has got, for the progress bar

    @property
    def size(self):
        return self.path.stat().st_size if self.path else len(self.content)

    def open(self):
        stream = self.path.open("rb") if self.path else io.BytesIO(self.content)
        return CountingReader(stream, self)

    def head(self, size=4096):
        if self.content is not None:
            return self.content[:size]
        with self.path.open("rb") as stream:
            return stream.read(size)

    @cached_property
    def data(self):
        if self.content is not None:
            return self.content
        size = self.path.stat().st_size
        if size > MAX_IN_MEMORY_BYTES:
            raise BadInput(self.name, f"file is {size} bytes; this format is read whole, up to {MAX_IN_MEMORY_BYTES}")
        return self.path.read_bytes()


class CountingReader(io.RawIOBase):
    """A binary stream that tells its payload how many bytes have been read."""

    def __init__(self, stream, payload):
        self.stream, self.payload = stream, payload

    def readable(self):
        return True

    def readinto(self, buffer):
        count = self.stream.readinto(buffer)
        self.payload.bytes_read += count or 0
        return count

    def close(self):
        self.stream.close()
        super().close()


def read_capped(stream, name, limit, stop=None):
    """All of the stream, refusing more than limit bytes; stops early once stop is set."""
    chunks, total = [], 0
    # read1 returns what has arrived, so a trickling server cannot hold one read open for ever.
    read = getattr(stream, "read1", stream.read)
    while chunk := read(CHUNK):
        total += len(chunk)
        if total > limit:
            raise BadInput(name, f"larger than the {limit}-byte limit for downloads")
        if stop is not None and stop.is_set():
            raise BadInput(name, "download abandoned")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(url):
    """Download an http(s) input within IMPORT_FETCH_TIMEOUT seconds in all, with a size cap and a type check.

    The socket timeout bounds each read, not the download: a server sending a byte every
    half second would never trip it. So the download runs in a daemon thread that is given
    up on at the deadline; it notices and closes its connection at its next read.
    """
    limit = settings.IMPORT_FETCH_TIMEOUT
    outcome, stop = {}, threading.Event()

    def download():
        try:
            outcome["payload"] = download_now(url, limit, stop)
        except BaseException as error:  # noqa: BLE001 - handed to the waiting thread
            outcome["error"] = error

    worker = threading.Thread(target=download, name=f"fetch {url}", daemon=True)
    worker.start()
    worker.join(limit)
    if worker.is_alive():
        stop.set()
        raise BadInput(url, f"could not fetch: no complete response within IMPORT_FETCH_TIMEOUT ({limit:g} s)")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["payload"]


def download_now(url, timeout, stop):
    request = urllib.request.Request(url, headers={"User-Agent": "Newsroom importer"})  # noqa: S310 - http(s) only
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            content_type = response.headers.get("Content-Type", "")
            media_type = content_type.split(";")[0].strip().lower()
            if media_type not in ACCEPTED_TYPES:
                raise BadInput(url, f"unexpected content type {media_type or 'none'!r}; expected a feed, XML or JSON")
            length = int(response.headers.get("Content-Length") or 0)
            if length > settings.IMPORT_MAX_DOWNLOAD_BYTES:
                raise BadInput(url, f"{length} bytes is over the {settings.IMPORT_MAX_DOWNLOAD_BYTES}-byte limit")
            content = read_capped(response, url, settings.IMPORT_MAX_DOWNLOAD_BYTES, stop)
    except urllib.error.HTTPError as error:
        raise BadInput(url, f"HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise BadInput(url, f"could not fetch: {reason}") from None
    return Payload(url, external_id=None, content=content, content_type=content_type)


def expand(arguments, stdin=None):
    """Files as given, directories recursively (importable suffixes only), '-' for stdin, http(s) URLs."""
    for argument in arguments:
        if argument == "-":
            stream = stdin or sys.stdin.buffer
            yield Payload("<stdin>", content=read_capped(stream, "<stdin>", MAX_IN_MEMORY_BYTES))
        elif argument.startswith(("http://", "https://")):
            yield fetch(argument)
        else:
            yield from expand_path(Path(argument), argument)


def expand_path(path, argument):
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in IMPORTABLE_SUFFIXES)
        for file in files:
            yield Payload(str(file), external_id=file.relative_to(path).as_posix(), path=file)
    elif path.is_file():
        yield Payload(str(path), external_id=path.name, path=path)
    elif path.exists():
        raise BadInput(argument, "not a regular file or directory")
    else:
        raise BadInput(argument, "no such file or directory")
