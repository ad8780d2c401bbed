from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test.signals import setting_changed
from django.utils import timezone

from articles.models import Story
from newsroom.catalogs import compile_catalogs


@pytest.fixture(scope="session", autouse=True)
def translation_catalogs():
    """The .mo files are built, not committed: compile any that are missing, as `make test` would."""
    if compile_catalogs():
        # django.setup() has already read the catalogues without them; this makes Django read them again.
        setting_changed.send(sender=None, setting="LOCALE_PATHS", value=django_settings.LOCALE_PATHS, enter=True)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Every test starts with an empty local-memory cache: no page cached by an earlier test is served."""
    cache.clear()


@pytest.fixture
def make_story(db):
    """Create a story that is public unless the fields say otherwise; `tags` is a list of tag names."""

    def make(headline="Тестова новина", *, tags=(), **fields):
        fields.setdefault("status", Story.Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now() - timedelta(hours=1))
        fields.setdefault("body", "<p>Перший абзац.</p>")
        story = Story.objects.create(headline=headline, **fields)
        if tags:
            story.tags.add(*tags)
        return story

    return make


@pytest.fixture
def story_factory(make_story):
    return make_story
