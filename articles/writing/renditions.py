"""Resized copies of uploaded hero images, made once and recorded on the story.

Files go to MEDIA_ROOT/renditions/<hash of the original's bytes>-<width>.<ext>, WebP plus the
original's format, and the story row records them (see `articles.models.pictures`), so pages
print them without touching the disk. They are made after the transaction that saved the
image commits (the admin), by `manage.py make_renditions`, and by the demo loader.
"""

import hashlib
import logging
from functools import partial
from io import BytesIO

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import ExifTags, Image, ImageOps

from articles.models import Story
from articles.models.pictures import WEBP, current_record
from articles.site.caching import public_site_changed

WIDTHS = (480, 800, 1200, 1600)
FOLDER = "renditions"
# Browsers without WebP get the original's format; any other format falls back to PNG or JPEG.
KEPT_FORMATS = {"JPEG": "jpeg", "PNG": "png"}
EXTENSIONS = {"webp": "webp", "jpeg": "jpg", "png": "png"}
SAVE_OPTIONS = {
    "webp": {"format": "WEBP", "quality": 80, "method": 4},
    "jpeg": {"format": "JPEG", "quality": 82, "optimize": True, "progressive": True},
    "png": {"format": "PNG", "optimize": True},
}
# What a missing, truncated or hostile original raises (UnidentifiedImageError is an OSError).
RENDITION_ERRORS = (OSError, ValueError, Image.DecompressionBombError)

logger = logging.getLogger(__name__)


def target_widths(width):
    """The standard widths below the original's, then the original's own up to the largest: never an upscale."""
    return sorted({*(size for size in WIDTHS if size < width), min(width, WIDTHS[-1])})


def renditions_current(story):
    return bool(current_record(story).get("files"))


def make_renditions(story, *, force=False):
    """Make and record the renditions of the story's uploaded image; returns how many files were written.

    Files that already exist are kept (their names come from the original's bytes), unless `force`.
    """
    if not story.hero_image or (renditions_current(story) and not force):
        return 0
    with story.hero_image.open("rb") as original:
        data = original.read()
    image, fallback, icc_profile = decoded(data)
    digest = hashlib.sha256(data).hexdigest()[:16]
    storage = story.hero_image.storage
    files, written = [], 0
    for width in target_widths(image.width):
        height = max(1, round(image.height * width / image.width))
        resized = image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS)
        for kind in (WEBP, fallback):
            name = f"{FOLDER}/{digest}-{width}.{EXTENSIONS[kind]}"
            if force or not storage.exists(name):
                if force:
                    storage.delete(name)
                name = storage.save(name, ContentFile(encoded(resized, kind, icc_profile)))
                written += 1
            files.append({"format": kind, "width": width, "height": height, "name": name})
    record = {"source": story.hero_image.name, "width": image.width, "height": image.height, "files": files}
    save_record(story, record)
    return written


def decoded(data):
    """The image upright and in RGB(A), the format its renditions fall back to, and a colour profile to keep."""
    image = Image.open(BytesIO(data))
    source_format = image.format
    # A CMYK or greyscale profile would be wrong on the RGB copies.
    icc_profile = image.info.get("icc_profile") if image.mode in ("RGB", "RGBA") else None
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if has_alpha else "RGB")
    fallback = KEPT_FORMATS.get(source_format, "png" if has_alpha else "jpeg")
    return image, fallback, icc_profile


def encoded(image, kind, icc_profile):
    if kind == "jpeg" and image.mode == "RGBA":
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    buffer = BytesIO()
    extra = {"icc_profile": icc_profile} if icc_profile else {}
    # Saved without EXIF: a camera's GPS position should not follow the photo onto the site.
    image.save(buffer, **SAVE_OPTIONS[kind], **extra)
    return buffer.getvalue()


def save_record(story, record):
    # An update, not save(): renditions are no editorial change, so updated_at and save() logic stay out of it.
    Story.objects.filter(pk=story.pk).update(hero_image_renditions=record)
    story.hero_image_renditions = record
    public_site_changed()  # update() sends no signal: cached pages would keep the original image


def record_original_size(story, image):
    """Remember an upload's size at once, so its <img> has width and height before the renditions exist.

    `image` is the Pillow image Django's form field opened to validate the upload.
    """
    width, height = image.size
    # Orientations 5-8 turn the picture a quarter: browsers show it, and the renditions are, the other way round.
    if image.getexif().get(ExifTags.Base.Orientation) in (5, 6, 7, 8):
        width, height = height, width
    save_record(story, {"source": story.hero_image.name, "width": width, "height": height, "files": []})


def make_renditions_after_commit(story):
    """Make the story's renditions once the transaction that saved its image has committed."""
    transaction.on_commit(partial(refresh_renditions, story.pk))


def refresh_renditions(pk):
    story = Story.objects.filter(pk=pk).only("pk", "hero_image", "hero_image_renditions").first()
    if story is None:
        return
    try:
        make_renditions(story)
    except RENDITION_ERRORS:
        # The page keeps showing the original; `make_renditions` can be run again later.
        logger.exception("Could not make renditions of %s (story %s)", story.hero_image.name, pk)
