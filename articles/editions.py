"""A story's editions in other languages, as the story page offers them and names them in its <head>.

Read from the annotations of `StoryQuerySet.with_editions()`, so only public editions ever appear.
"""

from dataclasses import dataclass

from django.conf import settings

# Each edition is offered in its own language, whatever the interface language is.
READ_IN = {"uk": "Українською", "ru": "По-русски", "en": "In English"}


@dataclass(frozen=True)
class Edition:
    language: str
    url: str
    current: bool
    original: bool

    @property
    def name(self):
        return READ_IN.get(self.language, self.language)


def edition_url(slug, published_at):
    from articles.models import Story

    return Story(slug=slug, published_at=published_at).get_absolute_url()


def story_editions(story):
    """The public editions of `story`, itself included, in the order of settings.LANGUAGES.

    Empty when the story has no public edition but itself: nothing to offer, nothing to announce.
    """
    original_language = getattr(story, "original_language", None)
    editions = []
    for language, _name in settings.LANGUAGES:
        if language == story.language:
            is_original = not story.translation_of_id or story.translation_of_id == story.pk
            editions.append(Edition(language, story.get_absolute_url(), True, is_original))
            continue
        slug = getattr(story, f"{language}_edition_slug", None)
        published_at = getattr(story, f"{language}_edition_published_at", None)
        if slug and published_at:
            editions.append(Edition(language, edition_url(slug, published_at), False, language == original_language))
    return editions if len(editions) > 1 else []


def original_edition(editions):
    """The public original, which `hreflang="x-default"` points at, or None."""
    return next((edition for edition in editions if edition.original), None)
