"""What pages tell search engines and social networks: canonical and absolute URLs, locales, JSON-LD."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.site.editions import original_edition
from articles.site.structured_data import breadcrumb_list, news_article

register = template.Library()

OG_LOCALES = {"uk": "uk_UA", "ru": "ru_RU", "en": "en_GB"}
# As django.utils.html.json_script: no text inside the data can end the <script> element or open a comment.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's absolute address: its own page of a list, but filtered or tracked variants point at the plain one."""
    request = context["request"]
    url = request.build_absolute_uri(request.path)
    page = request.GET.get("page", "")
    if set(request.GET) == {"page"} and page.isdigit() and int(page) > 1:
        url += f"?page={int(page)}"
    return url


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    return context["request"].build_absolute_uri(url) if url else ""


@register.filter
def og_locale(language):
    return OG_LOCALES.get(language, language)


@register.filter
def ld_json(data):
    """`data` as a JSON-LD <script> element, escaped like json_script so a headline cannot close it."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag
def original_of(editions):
    return original_edition(editions)


@register.simple_tag(takes_context=True)
def story_structured_data(context, story, editions):
    request = context["request"]
    return ld_json(news_article(story, request, editions)) + ld_json(breadcrumb_list(story, request))
