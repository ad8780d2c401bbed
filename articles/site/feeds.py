"""RSS 2.0 and Atom feeds of the latest public stories: the whole site, and one per tag, section and source."""

import mimetypes
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext, override

from articles.models import Section, Source, Story, Tag
from articles.models.redirects import moved_permanently, moved_tag

FEED_LENGTH = 30


class StoryAtom1Feed(Atom1Feed):
    """Atom with each entry's own language, since a Ukrainian feed carries Russian and English stories too."""

    def item_attributes(self, item):
        return {"xml:lang": item["language"]}


class StoryFeed(Feed):
    """The site's latest stories; subclasses narrow them to one tag, section or source found by `get_object()`."""

    language = settings.LANGUAGE_CODE
    item_guid_is_permalink = True

    def __init__(self, atom=False):
        self.feed_type = StoryAtom1Feed if atom else Rss201rev2Feed

    def stories(self, owner):
        return Story.objects.published()

    def items(self, owner):
        return self.stories(owner).for_listing()[:FEED_LENGTH]

    def title(self, owner):
        return f"{settings.SITE_NAME}: {owner.name}" if owner else settings.SITE_NAME

    def link(self, owner):
        return owner.get_absolute_url() if owner else reverse("articles:home")

    def description(self, owner):
        # Like its <language>, a feed's text is in the site's language: aggregators pass one copy to every reader.
        with override(settings.LANGUAGE_CODE):
            if owner:
                return gettext("Latest stories: %(name)s") % {"name": owner.name}
            return gettext("Latest news from %(SITE_NAME)s") % {"SITE_NAME": settings.SITE_NAME}

    def subtitle(self, owner):
        return self.description(owner)

    def author_name(self, owner):
        # Atom requires an author on every entry; the newsroom stands in for stories without a byline.
        return settings.SITE_NAME

    def item_title(self, story):
        # Plain text: Atom titles are text constructs, and Django's double escaping would show "&amp;" there.
        return story.headline

    def item_description(self, story):
        # Both formats read the description as HTML; the lead is plain text.
        return escape(story.lead)

    def item_author_name(self, story):
        return ", ".join(author.name for author in story.byline()) or None

    def item_categories(self, story):
        return [tag.name for tag in story.tags.all()]

    def item_pubdate(self, story):
        return timezone.localtime(story.published_at)

    def item_updateddate(self, story):
        return timezone.localtime(story.updated_at)

    def item_extra_kwargs(self, story):
        return {"language": story.language}

    def item_enclosures(self, story):
        src = story.hero_image_src
        mime_type = mimetypes.guess_type(urlsplit(src).path)[0] if src else None
        if not mime_type or not mime_type.startswith("image/"):
            return []
        return [Enclosure(src, str(self.image_length(story)), mime_type)]

    def image_length(self, story):
        if story.hero_image:
            try:
                return story.hero_image.size
            except OSError:
                pass
        return 0  # the RSS Best Practices Profile's length for a size that cannot be told

    def get_feed(self, owner, request):
        # Uploaded images have site-relative addresses; feed readers need absolute ones.
        feed = super().get_feed(owner, request)
        for item in feed.items:
            item["enclosures"] = [
                Enclosure(request.build_absolute_uri(enclosure.url), enclosure.length, enclosure.mime_type)
                for enclosure in item["enclosures"]
            ]
        return feed


class TagFeed(StoryFeed):
    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except Http404:
            if (tag := moved_tag(kwargs["slug"])) is None:
                raise
        # Same format (RSS or Atom), the tag's new slug.
        return moved_permanently(request, reverse(request.resolver_match.view_name, kwargs={"slug": tag.slug}))

    def get_object(self, request, slug):
        # Like the tag page: a tag carried only by unpublished stories does not exist for readers.
        return Tag.objects.with_published_counts().get(slug=slug)

    def stories(self, tag):
        return Story.objects.published().tagged(tag)


class SectionFeed(StoryFeed):
    def get_object(self, request, slug):
        return Section.objects.with_published_stories().get(slug=slug)

    def stories(self, section):
        return Story.objects.published().in_section(section)


class SourceFeed(StoryFeed):
    def get_object(self, request, slug):
        return Source.objects.with_published_stories().get(slug=slug)

    def stories(self, source):
        return Story.objects.published().citing(source)
