"""Compiles the translation catalogues, locale/<language>/LC_MESSAGES/django.po, into the .mo files Django reads.

Django's compilemessages runs GNU gettext's msgfmt, which a fresh machine may lack; Babel is pure Python and comes
with requirements.txt. `make run` and `make test` run `python -m newsroom.catalogs`, and the test suite compiles
what is missing, so a checkout never serves an untranslated interface. Only missing or outdated .mo files are built.
"""

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


class CatalogError(Exception):
    pass


def stale_catalogs(locale_dir=LOCALE_DIR):
    """(po, mo) path pairs whose .mo is missing or older than its .po."""
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            yield po_path, mo_path


def compile_catalog(po_path, mo_path):
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file)
    if catalog.fuzzy:
        raise CatalogError(f"{po_path}: the header is marked fuzzy; review the catalogue and remove the flag")
    problems = [f"{po_path}:{message.lineno}: {error}" for message, errors in catalog.check() for error in errors]
    if problems:
        raise CatalogError("\n".join(problems))
    # Written beside the target and renamed into place: a running server never reads half a catalogue.
    partial = mo_path.with_name(mo_path.name + ".tmp")
    with partial.open("wb") as mo_file:
        write_mo(mo_file, catalog)
    partial.replace(mo_path)


def compile_catalogs(locale_dir=LOCALE_DIR):
    """Compile every stale catalogue; returns the .mo paths written."""
    written = []
    for po_path, mo_path in stale_catalogs(locale_dir):
        compile_catalog(po_path, mo_path)
        written.append(mo_path)
    return written


def main():
    try:
        written = compile_catalogs()
    except CatalogError as error:
        print(error, file=sys.stderr)
        return 1
    for mo_path in written:
        print(f"Compiled {mo_path.relative_to(LOCALE_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
