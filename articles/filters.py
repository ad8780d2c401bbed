import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from articles.models import Language, Section, Source, Story, Tag


class StoryFilter(django_filters.FilterSet):
    tag = django_filters.ModelMultipleChoiceFilter(
        field_name="tags__slug",
        to_field_name="slug",
        queryset=Tag.objects.all(),
        conjoined=True,
        label=_("Tags"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    section = django_filters.ModelChoiceFilter(
        field_name="section", to_field_name="slug", queryset=Section.objects.all(), label=_("Section"),
        empty_label=_("All sections"),
    )
    source = django_filters.ModelChoiceFilter(
        field_name="attributions__source", to_field_name="slug", queryset=Source.objects.all(), label=_("Source"),
        empty_label=_("All sources"), distinct=True,
    )
    language = django_filters.ChoiceFilter(choices=Language.choices, label=_("Language"), empty_label=_("Any language"))
    date_after = django_filters.DateFilter(
        field_name="published_at", lookup_expr="date__gte", label=_("From"),
        input_formats=["%Y-%m-%d"], widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_before = django_filters.DateFilter(
        field_name="published_at", lookup_expr="date__lte", label=_("To"),
        input_formats=["%Y-%m-%d"], widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Story
        fields = ["tag", "section", "source", "language", "date_after", "date_before"]
