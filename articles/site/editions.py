"""A story's editions in other languages, as the story page offers them and names them in its <head>.

Built from `Story.objects.published().around(story)`, so only public editions ever appear.
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


def story_editions(story, group):
    """The public editions of `story`, itself included, in the order of settings.LANGUAGES.

    `group` is its translation group, original first. Two editions in one language: the story itself, else
    the first of them stands for it. Empty when there is nothing to offer but the story itself.
    """
    by_language = {story.language: story}
    for member in group:
        by_language.setdefault(member.language, member)
    original_id = group[0].pk if group and not group[0].translation_of_id else None
    editions = [
        Edition(language, member.get_absolute_url(), member.pk == story.pk, member.pk == original_id)
        for language, _name in settings.LANGUAGES
        if (member := by_language.get(language)) is not None
    ]
    return editions if len(editions) > 1 else []


def original_edition(editions):
    """The public original, which `hreflang="x-default"` points at, or None."""
    return next((edition for edition in editions if edition.original), None)
