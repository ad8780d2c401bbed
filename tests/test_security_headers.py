"""Security headers: a strict Content-Security-Policy on public pages, a nonce-only one for the admin's scripts,
a Permissions-Policy everywhere, and production settings that pass `check --deploy` without a warning."""

import json
import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from articles.models import Attribution, Author, Byline, Section, Source, Story

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_TEMPLATES = ROOT / "templates"
# Inline code in a template: a <script> without src (JSON-LD is data, which CSP leaves alone), a <style>
# element, a style attribute, an on… handler or a javascript: address.
INLINE_CODE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: address"),
]


def policy(response, header="Content-Security-Policy"):
    """The policy as {directive: [sources]}."""
    directives = (part.split() for part in response[header].split(";") if part.strip())
    return {name: sources for name, *sources in directives}


@pytest.fixture
def public_paths(make_story):
    section = Section.objects.create(name="Світ", slug="svit")
    source = Source.objects.create(name="Йонхап", slug="yonhap", kind=Source.Kind.AGENCY)
    author = Author.objects.create(name="Олена Петренко", slug="olena-petrenko")
    story = make_story("КНДР відповіла на санкції", slug="kndr-vidpovila", section=section, tags=["КНДР"])
    Byline.objects.create(story=story, author=author, position=0)
    Attribution.objects.create(story=story, source=source, position=0, sentence="Про це пише Йонхап.")
    withdrawn = make_story(
        "Відкликана новина",
        slug="vidklykana",
        status=Story.Status.WITHDRAWN,
        withdrawn_reason="Матеріал не підтвердився.",
    )
    day = timezone.localtime(story.published_at)
    return {
        "/": 200,
        "/?page=2": 404,
        story.get_absolute_url(): 200,
        "/tags/kndr/": 200,
        "/sections/svit/": 200,
        "/sources/yonhap/": 200,
        "/authors/olena-petrenko/": 200,
        f"/{day:%Y}/": 200,
        f"/{day:%Y/%m}/": 200,
        f"/{day:%Y/%m/%d}/": 200,
        "/stories/?tag=kndr": 200,
        "/search/?q=КНДР": 200,
        "/sitemap.xml": 200,
        "/news-sitemap.xml": 200,
        "/feeds/rss/": 200,
        "/robots.txt": 200,
        "/no-such-page/": 404,
        withdrawn.get_absolute_url(): 410,
    }


def test_every_public_page_has_a_strict_policy_without_inline_code(client, public_paths):
    """Each public answer, errors included, forbids inline scripts and styles and every outside origin."""
    for path, status in public_paths.items():
        response = client.get(path)
        assert response.status_code == status, path
        directives = policy(response)
        assert directives["default-src"] == ["'self'"], path
        assert directives["script-src"] == ["'self'"], path
        assert directives["style-src"] == ["'self'"], path
        assert directives["object-src"] == ["'none'"], path
        assert directives["frame-ancestors"] == ["'none'"], path
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], path


def test_every_answer_turns_off_unused_browser_features(client, public_paths):
    """Permissions-Policy, X-Frame-Options, Referrer-Policy and nosniff come with every public answer."""
    for path in public_paths:
        response = client.get(path)
        features = dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))
        assert features["camera"] == features["microphone"] == features["geolocation"] == "()", path
        assert response["X-Frame-Options"] == "DENY", path
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", path
        assert response["X-Content-Type-Options"] == "nosniff", path


def test_templates_hold_no_inline_script_or_style():
    """No template of ours, the admin's included, carries inline code the policies would block."""
    found = []
    for template in sorted(PUBLIC_TEMPLATES.rglob("*")):
        if template.is_dir():
            continue
        text = template.read_text(encoding="utf-8")
        for pattern, what in INLINE_CODE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(ROOT)}:{line}: {what}")
    assert not found, "\n".join(found)


def test_the_scan_finds_inline_code(tmp_path):
    """The template scan itself recognises each kind of inline code, and lets JSON-LD and scripts by src pass."""
    samples = {
        "<script>alert(1)</script>": True,
        '<p style="color:red">': True,
        "<style>p{}</style>": True,
        '<img src=x onerror="alert(1)">': True,
        '<a href="javascript:alert(1)">': True,
        '<script src="/static/x.js"></script>': False,
        '<script type="application/ld+json">{}</script>': False,
        '<p class="lead">': False,
    }
    for sample, inline in samples.items():
        assert any(pattern.search(sample) for pattern, _ in INLINE_CODE) == inline, sample


@pytest.mark.django_db
def test_admin_scripts_run_only_by_this_requests_nonce(client):
    """The story form's inline import map carries the nonce its policy names; nothing runs by 'unsafe-inline'."""
    client.force_login(User.objects.create_superuser("chief", "chief@example.org", "pw"))
    response = client.get("/admin/articles/story/add/")
    assert response.status_code == 200
    directives = policy(response)
    nonces = [source for source in directives["script-src"] if source.startswith("'nonce-")]
    assert len(nonces) == 1 and "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert all(source == "'self'" or source.startswith("'sha256-") for source in directives["style-src"])
    nonce = nonces[0][len("'nonce-") : -1]
    html = response.content.decode()
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert inline_scripts, "the body editor's import map is expected on the story form"
    assert all(f'nonce="{nonce}"' in tag for tag in inline_scripts), inline_scripts
    assert client.get("/admin/articles/story/add/")["Content-Security-Policy"] != response["Content-Security-Policy"]


def deploy_environment(tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "HSTS_", "CSP_", "DJANGO_"))}
    clean.pop("DEBUG", None)
    clean.update(
        {
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "SECRET_KEY_FILE": str(tmp_path / "no-key"),
            "ALLOWED_HOSTS": "news.example.org",
            **env,
        }
    )
    return clean


def test_production_settings_pass_the_deploy_checks_without_a_warning(tmp_path):
    """`check --deploy` with the production defaults (DEBUG off, HTTPS) reports no issue at all."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=deploy_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


SHOW_HTTPS_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
    "s.CONTENT_SECURITY_POLICY['DIRECTIVES'].get('upgrade-insecure-requests', False)]))"
)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, [True, 31536000, True, True]),
        # `make run`: a production-like server on plain HTTP.
        ({"DEBUG": "0", "SECURE_COOKIES": "0"}, [False, 0, False, False]),
        # Behind a proxy that redirects by itself.
        ({"SECURE_SSL_REDIRECT": "0", "HSTS_SECONDS": "600"}, [False, 600, True, True]),
    ],
)
def test_https_settings_follow_the_environment(tmp_path, env, expected):
    """HTTPS redirect, HSTS and secure cookies are on in production and off for the plain-HTTP demo."""
    result = subprocess.run(
        [sys.executable, "-c", SHOW_HTTPS_SETTINGS],
        cwd=ROOT,
        env=deploy_environment(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(expected).lower().replace("'", '"')


def test_https_is_enforced_when_on(client, make_story, settings):
    """With the production settings a plain request is redirected to https, and the https answer sets HSTS."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.SECURE_HSTS_PRELOAD = True
    make_story(published_at=timezone.now() - timedelta(hours=2))
    plain = client.get("/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/"
    secure = client.get("/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ["'self'", "data:", "https:"]),
        (
            {"CSP_IMG_SRC": "https://images.example.net,https://cdn.example.org"},
            ["'self'", "data:", "https://images.example.net", "https://cdn.example.org"],
        ),
    ],
)
def test_image_sources_follow_the_environment(tmp_path, env, expected):
    """Imported stories' images on other https hosts show by default; CSP_IMG_SRC narrows img-src to named hosts."""
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=deploy_environment(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected
