from django import template

from articles.site.changes import public_change_urls

register = template.Library()


@register.simple_tag
def correction_notes_with_changes(story):
    """The story's correction notes as (note, URL of its "what changed" page or "") pairs."""
    urls = public_change_urls(story)
    return [(note, urls.get(note.revision_id, "")) for note in story.correction_notes()]
