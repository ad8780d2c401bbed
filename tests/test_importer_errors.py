"""Bad input to the text importer: a clear error naming file and line, a non-zero exit, nothing written."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.models import Story

ROOT = Path(__file__).resolve().parent.parent
GOOD = "Добрий заголовок\nДобрий лід.\nАбзац.\n"

pytestmark = pytest.mark.django_db


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def import_error(*paths, **options):
    with pytest.raises(CommandError) as error:
        call_command("import_stories", *map(str, paths), stdout=io.StringIO(), stderr=io.StringIO(), **options)
    return str(error.value)


@pytest.mark.parametrize(
    ("content", "where", "what"),
    [
        (b"", "bad.txt", "empty"),
        (b"  \n\n \t\n", "bad.txt", "empty"),
        ("Лише заголовок\n".encode(), "bad.txt:2", "missing lead"),
        ("Заголовок\nЩе на цю тему\n".encode(), "bad.txt:2", "missing lead"),
        ("Заголовок\nЛід\n".encode() + b"\xff\xfe bad\n", "bad.txt:3", "not valid UTF-8"),
        ("Заголовок\nЛід\n".encode("cp1251"), "bad.txt:1", "not valid UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "bad.txt:3", "binary"),
        (
            "Заголовок\nЛід\nАбзац\nЩе на цю тему\n- 13.11.2024 Добре\nпогано без дати\n".encode(),
            "bad.txt:6",
            "malformed",
        ),
        ("Заголовок\nЛід\nЩе на цю тему\n- 31.02.2024 Неіснуючий день\n".encode(), "bad.txt:4", "invalid date"),
        ("Заголовок\nЛід\nЧитайте також:\n".encode(), "bad.txt:3", "no title"),
        (("З" * 301 + "\nЛід\n").encode(), "bad.txt:1", "headline"),
    ],
)
def test_bad_file_is_refused_with_its_location(tmp_path, content, where, what):
    """Each kind of bad file names the file and line and says what is wrong."""
    message = import_error(write(tmp_path, "bad.txt", content))
    assert where in message
    assert what in message
    assert not Story.objects.exists()


def test_one_bad_file_means_nothing_is_written(tmp_path):
    """A good file before a bad one is not written either: the run is all or nothing."""
    good = write(tmp_path, "a-good.txt", GOOD)
    bad = write(tmp_path, "b-bad.txt", "Заголовок\n")
    assert "b-bad.txt:2" in import_error(good, bad)
    assert not Story.objects.exists()


def test_bad_file_leaves_stored_stories_untouched(tmp_path):
    """A failed re-import does not lose or change what is already stored."""
    path = write(tmp_path, "a.txt", GOOD)
    call_command("import_stories", str(path), stdout=io.StringIO())
    write(tmp_path, "a.txt", "Добрий заголовок\n")
    import_error(path)
    assert Story.objects.get().lead == "Добрий лід."


@pytest.mark.parametrize(
    ("options", "what"),
    [
        ({"section": "nowhere"}, "unknown section 'nowhere'"),
    ],
)
def test_bad_options_are_refused(tmp_path, options, what):
    """Options naming things that do not exist are refused before anything is read."""
    assert what in import_error(write(tmp_path, "a.txt", GOOD), **options)


def test_missing_path_is_named(tmp_path):
    """A path that does not exist is named in the error."""
    assert "nope.txt: no such file or directory" in import_error(tmp_path / "nope.txt")


def test_command_line_exits_non_zero_without_a_traceback(tmp_path):
    """From the shell, a bad file gives exit status 1 and a one-line error, not a traceback."""
    bad = write(tmp_path, "bad.txt", b"\x00\x01")
    # A scratch database: the input is refused before any table is read, whichever database the suite uses.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path}/scratch.sqlite3",
    }
    for argv in ([str(bad)], [str(bad), "--published-at", "yesterday"]):
        result = subprocess.run(
            [sys.executable, "manage.py", "import_stories", *argv],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert "bad.txt:1: binary data" in result.stderr or "not an ISO-8601" in result.stderr
