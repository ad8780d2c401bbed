from django.conf import settings
from django.http import HttpResponseNotFound
from django.shortcuts import get_object_or_404
from django.template import loader
from django.views.generic import ListView
from django.views.generic.dates import (
    DateDetailView,
    DayArchiveView,
    MonthArchiveView,
    YearArchiveView,
)
from django_filters.views import FilterView

from articles.caching import PublicPageMixin
from articles.filters import StoryFilter
from articles.models import Section, Source, Story, Tag
from articles.search import MAX_QUERY_CHARS, search_terms
from articles.snippets import snippet

RELATED_BY_TAG_LIMIT = 6


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


class HomeView(PublishedStoryMixin, ListView):
    template_name = "articles/home.html"


class StoryYearArchiveView(PublishedStoryMixin, YearArchiveView):
    make_object_list = True


class StoryMonthArchiveView(PublishedStoryMixin, MonthArchiveView):
    pass


class StoryDayArchiveView(PublishedStoryMixin, DayArchiveView):
    pass


class StoryDetailView(PublishedStoryMixin, DateDetailView):
    def get_queryset(self):
        return Story.objects.published().for_page()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        story = self.object
        more_links = story.more_links()
        curated = {link.target_id for link in more_links if link.target_id}
        tag_ids = [tag.pk for tag in story.tags.all()]
        by_tags = []
        if tag_ids:
            by_tags = list(
                Story.objects.published()
                .sharing_tags_with(story, tag_ids)
                .exclude(pk__in=curated)
                .only("headline", "slug", "published_at", "language")[:RELATED_BY_TAG_LIMIT]
            )
        context.update(more_links=more_links, stories_sharing_tags=by_tags)
        return context


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


class TagView(StoryListFor):
    owner_model = Tag
    context_owner_name = "tag"
    template_name = "articles/tag_detail.html"

    def get_owner(self):
        # A tag that only drafts or embargoed stories carry would give their subject away.
        return get_object_or_404(Tag.objects.with_published_counts(), slug=self.kwargs["slug"])

    def stories_of(self, tag):
        return Story.objects.published().tagged(tag)


class SectionView(StoryListFor):
    owner_model = Section
    context_owner_name = "section"
    template_name = "articles/section_detail.html"

    def stories_of(self, section):
        return Story.objects.published().in_section(section)


class SourceView(StoryListFor):
    owner_model = Source
    context_owner_name = "source"
    template_name = "articles/source_detail.html"

    def stories_of(self, source):
        return Story.objects.published().citing(source)


class StoryFilterView(PublishedStoryMixin, FilterView):
    filterset_class = StoryFilter
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
