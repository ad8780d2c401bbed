"""Previews: a story rendered as readers will see it, before it is public, for staff or for a signed link.

A preview is never cached: it carries its own Cache-Control, which `articles.site.caching.public_page` never stores,
and it is not wrapped in that decorator anyway. Shared links are signed (so a guessed id is useless) and also
stored as `SharedPreview` rows, so an editor can revoke one and the next request already gets a 404.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from articles.models import SharedPreview, Story
from articles.site.views import story_page_context

SALT = "articles.shared-preview"


def preview_story(pk):
    """The story with everything its page prints, whatever its state."""
    return Story.objects.for_page().with_translation_flag().filter(pk=pk).first()


def render_preview(request, story):
    """The public story template for `story`, with the preview banner, noindex and no caching anywhere."""
    # A draft has no publication time yet: show the date (and address) it would get if published now.
    story.published_at = story.published_at or timezone.now()
    context = {"story": story, "object": story, "preview": True, **story_page_context(story)}
    response = TemplateResponse(request, "articles/story_detail.html", context)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def share(story, user, now=None):
    """Create a shared preview of `story`, valid for SHARE_PREVIEW_HOURS."""
    now = now or timezone.now()
    return SharedPreview.objects.create(
        story=story,
        nonce=secrets.token_hex(16),
        created_by=user,
        created_at=now,
        expires_at=now + timedelta(hours=settings.SHARE_PREVIEW_HOURS),
    )


def token_for(shared):
    return signing.Signer(salt=SALT).sign(shared.nonce)


def shared_url(shared):
    return reverse("articles:shared_preview", args=[token_for(shared)])


def shared_preview(request, token):
    """/preview/<token>/: the current draft, for whoever holds a link that is genuine, live and not revoked."""
    try:
        nonce = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        raise Http404 from None
    shared = SharedPreview.objects.filter(nonce=nonce).first()
    if shared is None or not shared.is_active():
        raise Http404
    story = preview_story(shared.story_id)
    if story is None:
        raise Http404
    return render_preview(request, story)
