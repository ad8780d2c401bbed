"""Surrogate keys: the names of what a public page shows, which a write then invalidates.

A page is stored with the keys of everything it prints. Two kinds, so that a change reaches only what it alters:

- a thing's own key (`story(7)`, `tag(3)`…) for the pages that print it: a story's page, every card, feed item
  and related block with its headline; a tag's name wherever it appears;
- a list key (`tag_stories(3)`, `HOME`, `archive(day)`…) for the pages whose membership changes when a story
  enters or leaves it: publishing touches these, fixing a typo in a public story does not.

They travel in the `Surrogate-Key` header (Fastly, Varnish xkey) and `Cache-Tag` (Cloudflare), so a front-end
cache can purge the same set.
"""

# Every public page carries it: invalidating it forgets them all (a new release of the templates, a reindex).
SITE = "site"
HOME = "home"
# Every page listing all public stories whatever their section or tag: /stories/, the site feeds, search.
STORIES = "stories"
SITEMAPS = "sitemaps"
# Pages whose results depend on what public stories say, not only on which ones there are.
SEARCH = "search"
# Pages that offer every tag, section and source of the public site (the filter forms).
CATALOGUE = "catalogue"


def story(pk):
    return f"story-{pk}"


def section(pk):
    return f"section-{pk}"


def section_stories(pk):
    return f"section-{pk}-stories"


def tag(pk):
    return f"tag-{pk}"


def tag_stories(pk):
    return f"tag-{pk}-stories"


def source(pk):
    return f"source-{pk}"


def source_stories(pk):
    return f"source-{pk}-stories"


def author(pk):
    return f"author-{pk}"


def author_stories(pk):
    return f"author-{pk}-stories"


def editions(root_pk):
    """The editions of one story in other languages, named by the original's pk."""
    return f"editions-{root_pk}"


def archive(day):
    """The year, month and day archives a story published on `day` (a date) appears in."""
    return [f"archive-{day:%Y}", f"archive-{day:%Y-%m}", f"archive-{day:%Y-%m-%d}"]


def archive_of(year, month=None, day=None):
    """The key of one archive page: /2024/, /2024/11/ or /2024/11/13/."""
    parts = [f"{year:04d}"] + [f"{part:02d}" for part in (month, day) if part is not None]
    return "archive-" + "-".join(parts)
