from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def page_numbers(page_obj, on_each_side=2, on_ends=1):
    """Page numbers around the current one, with the paginator's ellipsis for the gaps."""
    return page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=on_each_side, on_ends=on_ends)


@register.simple_tag
def lang_attr(language, surrounding_language):
    """` lang="xx"` when a piece of text is in another language than the element around it.

    Screen readers switch pronunciation on it, and browsers pick hyphenation and quotes.
    """
    if not language or language == surrounding_language:
        return ""
    return format_html(' lang="{}"', language)
