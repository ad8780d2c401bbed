"""Addresses that moved: a published story whose slug or date changed, a tag renamed or merged into another.

The old address answers 301 to the new one, so links and search engines follow. A redirect points at the story
or tag, not at an address, so however often it moves, every old address leads to the current one in one hop.
"""

from django.conf import settings
from django.db import models, transaction
from django.http import HttpResponsePermanentRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StoryRedirect(models.Model):
    """A path a published story was once read at, e.g. /2024/03/28/old-slug/."""

    old_path = models.CharField(_("old path"), max_length=300, unique=True)
    story = models.ForeignKey("articles.Story", on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("story redirect")
        verbose_name_plural = _("story redirects")

    def __str__(self):
        return f"{self.old_path} → {self.story_id}"


class TagRedirect(models.Model):
    """The slug of a tag that was renamed, or merged into `tag`."""

    old_slug = models.SlugField(_("old slug"), max_length=100, unique=True, allow_unicode=False)
    tag = models.ForeignKey("articles.Tag", on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("tag redirect")
        verbose_name_plural = _("tag redirects")

    def __str__(self):
        return f"{self.old_slug} → {self.tag_id}"


# Stories


STORED_FIELDS = ["pk", "slug", "published_at", "status", "embargo_until"]


def had_public_address(story, now):
    """Whether readers could reach the story at its address: live, or withdrawn (its address then answers 410)."""
    withdrawn = story.status == story.Status.WITHDRAWN and story.published_at is not None
    return story.is_public(now) or (withdrawn and story.published_at <= now)


def story_moves(stories, now=None):
    """(story pk, old path or None, new path) for each saved story whose address the unsaved values change.

    The old path is None when the story was never public there (a draft, a scheduled or embargoed story):
    such an address was never read, so nothing redirects from it. One query for all the stories.
    """
    by_pk = {story.pk: story for story in stories if story.pk is not None and story.slug and story.published_at}
    if not by_pk:
        return []
    model, now = type(next(iter(by_pk.values()))), now or timezone.now()
    moves = []
    for row in model._base_manager.filter(pk__in=list(by_pk)).values(*STORED_FIELDS):
        stored, story = model(**row), by_pk[row["pk"]]
        if not stored.slug or stored.published_at is None:
            continue
        old_path, new_path = stored.get_absolute_url(), story.get_absolute_url()
        if old_path != new_path:
            moves.append((story.pk, old_path if had_public_address(stored, now) else None, new_path))
    return moves


def apply_story_moves(moves):
    """Keep each story's old public address as a redirect, and drop any redirect from an address now in use."""
    if not moves:
        return
    StoryRedirect.objects.filter(old_path__in=[new_path for _, _, new_path in moves]).delete()
    kept = {old_path: StoryRedirect(old_path=old_path, story_id=pk) for pk, old_path, _ in moves if old_path}
    StoryRedirect.objects.bulk_create(
        kept.values(), update_conflicts=True, unique_fields=["old_path"], update_fields=["story", "created_at"]
    )


def remember_old_addresses(stories):
    """For bulk writers (the import), before their bulk_update(): what the save signals do for one story."""
    apply_story_moves(story_moves(stories))


def moved_story(path):
    """The story that was once at `path`, if readers may follow it there: public, or withdrawn (then 410)."""
    redirect = (
        StoryRedirect.objects.filter(old_path=path)
        .select_related("story")
        .only("story__slug", "story__published_at", "story__status", "story__embargo_until")
        .first()
    )
    if redirect is None or not had_public_address(redirect.story, timezone.now()):
        return None
    return redirect.story


# Tags


def record_tag_rename(tag, old_slug):
    """The tag's old slug redirects to it; a redirect from the slug it now uses would only hide it."""
    TagRedirect.objects.filter(old_slug=tag.slug).delete()
    TagRedirect.objects.update_or_create(old_slug=old_slug, defaults={"tag": tag, "created_at": timezone.now()})


def moved_tag(slug):
    """The tag now standing for an old slug, if it has public stories (else its page does not exist either)."""
    from articles.models import Tag

    return Tag.objects.filter(redirects__old_slug=slug).with_published_counts().only("slug").first()


@transaction.atomic
def merge_tags(target, tags):
    """Move every story tagged with one of `tags` to `target`, then delete them; their addresses redirect.

    A story carrying several of the tags (or the target too) keeps one tagging. Unpublished stories keep
    theirs like any other. Returns the merged tags, as they were.
    """
    from articles.models import TaggedStory
    from articles.site.caching import public_site_changed

    merged = [tag for tag in tags if tag.pk != target.pk]
    ids = [tag.pk for tag in merged]
    rows = TaggedStory.objects.filter(tag_id__in=ids)
    on_target = TaggedStory.objects.filter(tag=target, content_object=models.OuterRef("content_object"))
    first = rows.filter(content_object=models.OuterRef("content_object")).order_by("pk").values("pk")[:1]
    rows.filter(models.Exists(on_target) | ~models.Q(pk=models.Subquery(first))).delete()
    rows.update(tag=target)
    TagRedirect.objects.filter(tag_id__in=ids).update(tag=target)
    TagRedirect.objects.filter(old_slug=target.slug).delete()
    TagRedirect.objects.bulk_create(
        [TagRedirect(old_slug=tag.slug, tag=target) for tag in merged],
        update_conflicts=True,
        unique_fields=["old_slug"],
        update_fields=["tag", "created_at"],
    )
    type(target).objects.filter(pk__in=ids).delete()
    # The moves above are bulk writes: no signal tells the page cache.
    public_site_changed()
    return merged


# Answers


def moved_permanently(request, location):
    """301 to `location`, with the query string (?page=2) kept.

    Kept by browsers and proxies only as long as a public page: a redirect cached forever would loop once the
    story takes its old address back.
    """
    from articles.site.caching import mark_public

    query = request.META.get("QUERY_STRING", "")
    response = HttpResponsePermanentRedirect(f"{location}?{query}" if query else location)
    mark_public(response, settings.PUBLIC_CACHE_SECONDS)
    return response
