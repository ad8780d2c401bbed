"""Expand the command's PATH arguments into named byte payloads."""

import sys
from dataclasses import dataclass
from pathlib import Path

from articles.importers.records import BadInput

TEXT_SUFFIXES = {".txt", ".text", ".md"}
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass
class Payload:
    name: str
    external_id: str | None  # None: the format derives one from the content
    data: bytes


def read_file(path, external_id):
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise BadInput(str(path), f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")
        return Payload(str(path), external_id, path.read_bytes())
    except OSError as error:
        raise BadInput(str(path), error.strerror or str(error)) from None


def expand(arguments, stdin=None):
    """Files as given, directories recursively (text files only), '-' for standard input."""
    for argument in arguments:
        if argument == "-":
            stream = stdin or sys.stdin.buffer
            yield Payload("<stdin>", None, stream.read())
            continue
        path = Path(argument)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
            for file in files:
                yield read_file(file, file.relative_to(path).as_posix())
        elif path.exists():
            yield read_file(path, path.name)
        else:
            raise BadInput(argument, "no such file or directory")
