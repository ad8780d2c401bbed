"""The front page: the lead story, a block per section in the editors' order, then the newest stories in no section."""

from dataclasses import dataclass, field

from articles.models import Section, Story

STORIES_PER_BLOCK = 4


@dataclass
class FrontPage:
    lead: Story | None = None
    sections: list[tuple[Section, list[Story]]] = field(default_factory=list)
    unfiled: list[Story] = field(default_factory=list)


def front_page(per_block=STORIES_PER_BLOCK):
    """Built from one story query (plus its prefetches) however many sections there are.

    Each section's newest stories are ranked by a window function rather than cut from the latest N overall,
    so a quiet section keeps its block beside a busy one. One more than a block holds is fetched: the section
    the lead story comes from still fills its block without repeating it.
    """
    stories = list(Story.objects.published().latest_per_section(per_block + 1).for_listing())
    if not stories:
        return FrontPage()
    lead, *rest = stories
    blocks, unfiled = {}, []
    for story in rest:
        block = blocks.setdefault(story.section, []) if story.section_id else unfiled
        if len(block) < per_block:
            block.append(story)
    # Section.Meta.ordering, applied to the sections the stories brought along with select_related.
    sections = sorted(blocks.items(), key=lambda item: (item[0].position, item[0].name, item[0].pk))
    return FrontPage(lead, sections, unfiled)
