"""Settings come from the environment, with safe defaults and no silent secret."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRINT_SETTINGS = (
    "import json; from django.conf import settings as s; "
    "print(json.dumps({'db': s.DATABASES['default']['ENGINE'], 'name': str(s.DATABASES['default']['NAME']), "
    "'debug': s.DEBUG, 'tz': s.TIME_ZONE, 'lang': s.LANGUAGE_CODE, 'hosts': s.ALLOWED_HOSTS}))"
)


def load_settings(tmp_path, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "TIME_ZONE", "LANGUAGE_CODE", "ALLOWED_HOSTS"}
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "newsroom.settings", "SECRET_KEY_FILE": str(tmp_path / "no-key"), **env})
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {PRINT_SETTINGS}"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_secret_key_is_an_error_outside_debug(tmp_path):
    """Without DEBUG, a missing SECRET_KEY stops the site instead of falling back to a made-up one."""
    result = load_settings(tmp_path)
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_defaults_are_sqlite_kyiv_and_ukrainian(tmp_path):
    """With only a key set, the site runs on a SQLite file, in Kyiv time, in Ukrainian, with DEBUG off."""
    result = load_settings(tmp_path, SECRET_KEY="k")
    settings = json.loads(result.stdout)
    assert settings["db"] == "django.db.backends.sqlite3" and settings["name"].endswith("db.sqlite3")
    assert (settings["debug"], settings["tz"], settings["lang"], settings["hosts"]) == (False, "Europe/Kyiv", "uk", [])


def test_environment_overrides(tmp_path):
    """DATABASE_URL, DEBUG, TIME_ZONE, LANGUAGE_CODE and ALLOWED_HOSTS are read from the environment."""
    result = load_settings(
        tmp_path,
        DEBUG="1",
        DATABASE_URL="postgres://u@db.example:5432/news",
        TIME_ZONE="UTC",
        LANGUAGE_CODE="en",
        ALLOWED_HOSTS="news.example.org, www.example.org",
    )
    settings = json.loads(result.stdout)
    assert settings["db"] == "django.db.backends.postgresql" and settings["name"] == "news"
    assert (settings["debug"], settings["tz"], settings["lang"]) == (True, "UTC", "en")
    assert settings["hosts"] == ["news.example.org", "www.example.org"]


def test_secret_key_file_is_read(tmp_path):
    """A key kept in SECRET_KEY_FILE (as `make run` does) is enough to start without DEBUG."""
    (tmp_path / "key").write_text("from-a-file\n")
    result = load_settings(tmp_path, SECRET_KEY_FILE=str(tmp_path / "key"))
    assert result.returncode == 0, result.stderr
