"""The content model: stories and what they are made of, the catalogues they draw on, and the newsroom's records.

Every layer above imports its models from here (`from articles.models import Story`).
"""

from articles.models.audit import AuditEntry
from articles.models.editorial import Correction, EditingSession, SharedPreview
from articles.models.parts import Attribution, Byline, RelatedLink
from articles.models.redirects import StoryRedirect, TagRedirect
from articles.models.stories import Author, Section, Source, Story, Tag, TaggedStory
from articles.text.language import Language

__all__ = [
    "Attribution",
    "AuditEntry",
    "Author",
    "Byline",
    "Correction",
    "EditingSession",
    "Language",
    "RelatedLink",
    "Section",
    "SharedPreview",
    "Source",
    "Story",
    "StoryRedirect",
    "Tag",
    "TagRedirect",
    "TaggedStory",
]
