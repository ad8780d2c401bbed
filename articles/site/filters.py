import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from articles.models import Language, Section, Source, Story, Tag


class StoryFilter(django_filters.FilterSet):
    tag = django_filters.MultipleChoiceFilter(
        field_name="tags__slug",
        conjoined=True,
        label=_("Tags"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    section = django_filters.ChoiceFilter(field_name="section__slug", label=_("Section"), empty_label=_("All sections"))
    source = django_filters.ChoiceFilter(
        field_name="attributions__source__slug",
        label=_("Source"),
        empty_label=_("All sources"),
        distinct=True,
    )
    language = django_filters.ChoiceFilter(choices=Language.choices, label=_("Language"), empty_label=_("Any language"))
    date_after = django_filters.DateFilter(
        field_name="published_at",
        lookup_expr="date__gte",
        label=_("From"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_before = django_filters.DateFilter(
        field_name="published_at",
        lookup_expr="date__lte",
        label=_("To"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Story
        fields = ["tag", "section", "source", "language", "date_after", "date_before"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Plain (slug, name) choices read once per request (one query each): a ModelChoiceField queries once
        # to render its options and again to validate the submitted value. Only tags, sections and sources
        # of public stories are offered, so one known only from drafts or embargoed stories is not revealed,
        # and asking for it is asking for an unknown value.
        self.filters["tag"].extra["choices"] = choices(Tag.objects.with_published_counts())
        self.filters["section"].extra["choices"] = choices(Section.objects.with_published_stories())
        self.filters["source"].extra["choices"] = choices(Source.objects.with_published_stories())


def choices(names):
    return list(names.values_list("slug", "name"))
