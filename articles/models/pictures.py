"""What a page prints for a story's hero image, read from the story row alone.

Pages never open image files or call Pillow: the sizes and renditions come from the record
that `articles.writing.renditions` keeps in `Story.hero_image_renditions`.
"""

from dataclasses import dataclass

WEBP = "webp"


@dataclass(frozen=True)
class Picture:
    src: str
    alt: str
    width: int | None = None
    height: int | None = None
    srcset: str = ""
    webp_srcset: str = ""


def current_record(story):
    """The rendition record if it describes the file the story has now, else an empty dict.

    A record made for an earlier upload (the file replaced by an import or in the shell) is ignored.
    """
    record = story.hero_image_renditions or {}
    return record if story.hero_image and record.get("source") == story.hero_image.name else {}


def alt_text(story):
    # Importers keep what the source gave, often nothing; the headline is the best description left.
    return story.hero_image_alt or story.headline


def hero_picture(story):
    """The uploaded image with its renditions, else the imported address as is, else None."""
    if story.hero_image:
        return uploaded_picture(story)
    if story.hero_image_url:
        return Picture(src=story.hero_image_url, alt=alt_text(story))
    return None


def uploaded_picture(story):
    record = current_record(story)
    files = record.get("files") or []
    webp = [item for item in files if item["format"] == WEBP]
    fallback = [item for item in files if item["format"] != WEBP]
    if not webp or not fallback:
        # Renditions are not made yet: the original, sized if its size is known, so nothing jumps.
        return Picture(story.hero_image.url, alt_text(story), record.get("width"), record.get("height"))
    storage = story.hero_image.storage
    largest = max(fallback, key=lambda item: item["width"])
    return Picture(
        src=storage.url(largest["name"]),
        alt=alt_text(story),
        width=largest["width"],
        height=largest["height"],
        srcset=srcset(storage, fallback),
        webp_srcset=srcset(storage, webp),
    )


def srcset(storage, items):
    return ", ".join(
        f"{storage.url(item['name'])} {item['width']}w" for item in sorted(items, key=lambda i: i["width"])
    )
