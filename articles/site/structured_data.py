"""schema.org data for a story page: a NewsArticle (with its corrections) and its BreadcrumbList, as JSON-LD dicts.

Built from the relations `StoryQuerySet.for_page()` prefetches, read through .all(), so they cost no query;
the editions come from `articles.site.editions`, which lists only public ones.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext

from articles.site.changes import public_change_urls

SCHEMA = "https://schema.org"


def iso(moment):
    return timezone.localtime(moment).isoformat()


def site_organization(request):
    return {
        "@type": "Organization",
        "name": settings.SITE_NAME,
        "url": request.build_absolute_uri(reverse("articles:home")),
    }


def cited_work(source):
    """What an attribution cites: a work by the source, named after it, its homepage when known."""
    organization = {"@type": "Organization", "name": source.name}
    if source.homepage_link:
        organization["url"] = source.homepage_link
    return {"@type": "CreativeWork", "name": source.name, "author": organization}


def edition_links(editions, request):
    """workTranslation on an original, translationOfWork on a translation: the other public editions."""
    current = next((edition for edition in editions if edition.current), None)
    if current is None:
        return {}
    others = [
        {"@type": "NewsArticle", "url": request.build_absolute_uri(edition.url), "inLanguage": edition.language}
        for edition in editions
        if not edition.current and (current.original or edition.original)
    ]
    if not others:
        return {}
    return {"workTranslation": others} if current.original else {"translationOfWork": others[0]}


def correction_comments(story, request):
    """Each note, with the address of its public "what changed" page when it has one."""
    urls = public_change_urls(story)
    comments = []
    for note in story.correction_notes():
        comment = {"@type": "CorrectionComment", "text": note.text, "datePublished": iso(note.published_at)}
        if url := urls.get(note.revision_id):
            comment["url"] = request.build_absolute_uri(url)
        comments.append(comment)
    return comments


def news_article(story, request, editions=()):
    url = request.build_absolute_uri(story.get_absolute_url())
    authors = [
        {"@type": "Person", "name": author.name, "url": request.build_absolute_uri(author.get_absolute_url())}
        for author in story.byline()
    ]
    article = {
        "@context": SCHEMA,
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": story.headline,
        "description": story.lead,
        "datePublished": iso(story.published_at),
        # A story written before it was scheduled would otherwise look modified before it was published.
        "dateModified": iso(max(story.updated_at, story.published_at)),
        "author": authors or [site_organization(request)],
        "publisher": site_organization(request),
        "inLanguage": story.language,
        "keywords": [tag.name for tag in story.tags.all()],
        "articleSection": story.section.name if story.section else "",
        "citation": [cited_work(attribution.source) for attribution in story.attributions.all()],
        "correction": correction_comments(story, request),
    }
    hero = story.hero
    if hero:
        article["image"] = [request.build_absolute_uri(hero.src)]
    article.update(edition_links(editions, request))
    return {key: value for key, value in article.items() if value not in ("", [])}


def breadcrumb_list(story, request):
    """Home → section (when the story has one) → the story."""
    trail = [(pgettext("navigation", "Home"), reverse("articles:home"))]
    if story.section:
        trail.append((story.section.name, story.section.get_absolute_url()))
    trail.append((story.headline, story.get_absolute_url()))
    return {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": request.build_absolute_uri(url)}
            for position, (name, url) in enumerate(trail, 1)
        ],
    }
