import datetime
from urllib.parse import unquote, urlsplit, urlunsplit

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponseNotFound, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template import loader
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.generic import ListView
from django.views.generic.dates import (
    DateDetailView,
    DayArchiveView,
    MonthArchiveView,
    YearArchiveView,
)
from django_filters.views import FilterView

from articles.models import Author, Section, Source, Story, Tag
from articles.models.redirects import moved_permanently, moved_story, moved_tag
from articles.models.search import MAX_QUERY_CHARS, search_terms
from articles.site.caching import PublicPageMixin
from articles.site.editions import story_editions
from articles.site.filters import StoryFilter
from articles.site.frontpage import front_page
from articles.site.related import shown_links
from articles.site.snippets import snippet

RELATED_BY_TAG_LIMIT = 6
POPULAR_TAGS_LIMIT = 20


class PublishedStoryMixin(PublicPageMixin):
    model = Story
    date_field = "published_at"
    allow_empty = True
    month_format = "%m"
    day_format = "%d"

    def get_paginate_by(self, queryset):
        return settings.STORIES_PER_PAGE

    def get_queryset(self):
        return Story.objects.published().for_listing()


def popular_tags():
    return list(Tag.objects.popular()[:POPULAR_TAGS_LIMIT])


class PopularTagsMixin:
    def get_context_data(self, **kwargs):
        return super().get_context_data(popular_tags=popular_tags(), **kwargs)


class HomeView(PublishedStoryMixin, ListView):
    """Page 1 is the front page (articles.site.frontpage); ?page=2 and later list every public story, newest first."""

    template_name = "articles/home.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get(self.page_kwarg, "1") != "1":
            return super().get(request, *args, **kwargs)
        context = {"view": self, "front_page": front_page(), "popular_tags": popular_tags()}
        return TemplateResponse(request, "articles/front_page.html", context)


class StoryArchiveMixin(PublishedStoryMixin):
    """A year, month or day exists only while public stories were published in it; its links lead only to such dates."""

    allow_empty = False

    def get_queryset(self):
        # Django finds the previous and next dates through get_queryset() and reads one row's date from each.
        return Story.objects.published()

    def get_dated_queryset(self, **lookup):
        # Not Django's, which adds an exists() query: published() already leaves the future out, an empty year or
        # month has an empty date list and an empty day an empty first page, and either answers 404.
        return self.get_queryset().filter(**lookup).for_listing()

    def get_dated_items(self):
        try:
            return super().get_dated_items()
        except OverflowError:
            # The day after 9999-12-31 is past datetime.date.max; Django turns only ValueError into a 404.
            raise Http404 from None


class StoryYearArchiveView(StoryArchiveMixin, YearArchiveView):
    make_object_list = True


class StoryMonthArchiveView(StoryArchiveMixin, MonthArchiveView):
    pass


class StoryDayArchiveView(StoryArchiveMixin, DayArchiveView):
    # The day page links the days around it, not months: Django would spend a query on each neighbouring month.
    def get_next_month(self, date):
        return None

    def get_previous_month(self, date):
        return None


class StoryDetailView(PublishedStoryMixin, DateDetailView):
    def get_queryset(self):
        return Story.objects.published().for_page().with_translation_flag()

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            if (day := self.requested_day()) is None:
                raise
            if (story := self.withdrawn_story(day)) is None:
                return self.moved_story_redirect(request, day)
        # A retraction notice: the headline and the public reason only. Not a 200, so never page-cached.
        return TemplateResponse(request, "articles/story_withdrawn.html", {"story": story}, status=410)

    def requested_day(self):
        try:
            return datetime.date(int(self.kwargs["year"]), int(self.kwargs["month"]), int(self.kwargs["day"]))
        except ValueError:
            return None

    def withdrawn_story(self, day):
        stories = Story.objects.withdrawn().filter(slug=self.kwargs["slug"], published_at__date=day)
        return stories.only("language", "withdrawn_reason").first()

    def moved_story_redirect(self, request, day):
        """301 from an address the story had before its slug or date changed; asked only once all else failed."""
        address = {"year": day.year, "month": f"{day:%m}", "day": f"{day:%d}", "slug": self.kwargs["slug"]}
        old_path = reverse("articles:story", kwargs=address)
        story = moved_story(old_path)
        if story is None or story.get_absolute_url() == old_path:
            raise Http404
        return moved_permanently(request, story.get_absolute_url())

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | story_page_context(self.object)


def story_page_context(story):
    """What the story page prints besides the story itself: shared by the public page and the previews."""
    if getattr(story, "has_corrections", False):
        prefetch_related_objects([story], "corrections")
    links = shown_links(story.related_links.all())
    more_links = story.more_links(links)
    curated = {link.target_id for link in story.more_links() if link.target_id}
    tag_ids = [tag.pk for tag in story.tags.all()]
    around = list(
        Story.objects.published().around(story, tag_ids, excluded=curated, related_limit=RELATED_BY_TAG_LIMIT)
    )
    context = {"editions": story_editions(story, [other for other in around if getattr(other, "in_group", False)])}
    by_tags = sorted(
        (other for other in around if getattr(other, "shares_tags", False)),
        key=lambda other: (other.published_at, other.pk),
        reverse=True,
    )[:RELATED_BY_TAG_LIMIT]
    context.update(
        body_blocks=story.body_blocks(links),
        more_links=more_links,
        stories_sharing_tags=by_tags,
        **section_neighbours(story, around),
    )
    return context


def section_neighbours(story, around):
    """The public stories just before and after `story` in its section, from the page's `around()` query."""
    neighbours = {"previous_in_section": None, "next_in_section": None}
    for other in around:
        if getattr(other, "is_neighbour", False):
            earlier = (other.published_at, other.pk) < (story.published_at, story.pk)
            neighbours["previous_in_section" if earlier else "next_in_section"] = other
    return neighbours


class StoryListFor(PublishedStoryMixin, ListView):
    """A paginated list of the published stories belonging to one tag, section or source."""

    owner_model = None
    context_owner_name = None

    def get_owner(self):
        return get_object_or_404(self.owner_model, slug=self.kwargs["slug"])

    def get_queryset(self):
        self.owner = self.get_owner()
        return self.stories_of(self.owner).for_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(**{self.context_owner_name: self.owner, **kwargs})


class TagView(PopularTagsMixin, StoryListFor):
    owner_model = Tag
    context_owner_name = "tag"
    template_name = "articles/tag_detail.html"

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            if (tag := moved_tag(self.kwargs["slug"])) is None:
                raise
        # The tag was renamed or merged into another: its old address leads to the new one.
        return moved_permanently(request, tag.get_absolute_url())

    def get_owner(self):
        # A tag that only drafts or embargoed stories carry would give their subject away.
        return get_object_or_404(Tag.objects.with_published_counts(), slug=self.kwargs["slug"])

    def stories_of(self, tag):
        return Story.objects.published().tagged(tag)


class SectionView(StoryListFor):
    owner_model = Section
    context_owner_name = "section"
    template_name = "articles/section_detail.html"

    def get_owner(self):
        # Like a tag: a section with no public story would only tell what its drafts are about.
        return get_object_or_404(Section.objects.with_published_stories(), slug=self.kwargs["slug"])

    def stories_of(self, section):
        return Story.objects.published().in_section(section)


class SourceView(StoryListFor):
    owner_model = Source
    context_owner_name = "source"
    template_name = "articles/source_detail.html"

    def get_owner(self):
        # Like a tag: a source only unpublished stories cite would give them away.
        return get_object_or_404(Source.objects.with_published_stories(), slug=self.kwargs["slug"])

    def stories_of(self, source):
        return Story.objects.published().citing(source)


class AuthorView(StoryListFor):
    owner_model = Author
    context_owner_name = "author"
    template_name = "articles/author_detail.html"

    def get_owner(self):
        # Like a tag: an author known only from drafts or embargoed stories would give that work away.
        return get_object_or_404(Author.objects.with_published_stories(), slug=self.kwargs["slug"])

    def stories_of(self, author):
        return Story.objects.published().written_by(author)


class StoryFilterView(PublishedStoryMixin, FilterView):
    filterset_class = StoryFilter
    page_params = ("page", *StoryFilter.base_filters)
    template_name = "articles/story_filter.html"
    strict = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["querystring"] = query.urlencode()
        return context


class SearchView(StoryFilterView):
    """/search/?q=…: the public stories matching every word of q, best first, narrowed by the /stories/ filters."""

    template_name = "articles/search.html"
    page_params = (*StoryFilterView.page_params, "q")

    def get_queryset(self):
        self.query = self.request.GET.get("q", "")[:MAX_QUERY_CHARS]
        return Story.objects.published().search(self.query).for_search_results()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        terms = search_terms(self.query)
        for story in context["object_list"]:
            story.search_snippet = snippet(story, terms)
        return context | {"query": self.query, "searched": bool(terms)}


def page_not_found(request, exception):
    template = loader.get_template("404.html")
    return HttpResponseNotFound(template.render({"request_path": request.path}, request))


@never_cache
def switch_language(request, code):
    """/language/<code>/?next=…: remember the reader's interface language in Django's language cookie, go back.

    Plain links rather than Django's set_language form: its CSRF token would make every page personal,
    and so never cached (articles/site/caching.py).
    """
    if code not in dict(settings.LANGUAGES):
        raise Http404
    response = HttpResponseRedirect(page_to_return_to(request))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def page_to_return_to(request):
    """The on-site path in ?next=, or the home page for anything else.

    Only a path from the site's root: "#x" or "?a" would come back to this address itself and loop, and so would a
    path to the switch. The address is rebuilt from its parsed parts, so what was checked is what is sent.
    """
    home = reverse("articles:home")
    back = request.GET.get("next", "").strip()
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return home
    parts = urlsplit(back)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return home
    try:
        if resolve(unquote(parts.path)).view_name == "articles:switch_language":
            return home
    except Resolver404:
        pass  # a page that does not exist answers 404 there, once
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))
