from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles.models import Story


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
