"""Hero images: renditions made once, <picture> markup with sizes, imported addresses, alt text and query budgets."""

import io
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from PIL import Image

from articles.models import Story
from articles.writing import renditions
from articles.writing.renditions import make_renditions
from tests.test_admin import ADD_URL, assert_saved, run_action, story_post

pytestmark = pytest.mark.django_db

BUDGET = 8
HERO_SIZES = 'sizes="(min-width: 44rem) 42rem, calc(100vw - 2rem)"'
CARD_SIZES = 'sizes="(min-width: 40em) 10rem, 6.5rem"'


def image_bytes(size=(2000, 1000), fmt="JPEG", mode="RGB", **options):
    buffer = io.BytesIO()
    Image.new(mode, size, "teal").save(buffer, format=fmt, **options)
    return buffer.getvalue()


@pytest.fixture
def pictured(make_story):
    """A public story with an uploaded hero image of the given size and format (no renditions yet)."""

    def make(size=(2000, 1000), fmt="JPEG", headline="Міст через Дніпро", alt="Новий міст на світанку", **fields):
        story = make_story(headline, hero_image_alt=alt, hero_image_caption="Міст після ремонту.", **fields)
        extension = {"JPEG": "jpg"}.get(fmt, fmt.lower())
        story.hero_image.save(f"mist.{extension}", ContentFile(image_bytes(size, fmt)), save=True)
        return story

    return make


def rendition_files(media_root):
    folder = Path(media_root) / renditions.FOLDER
    return sorted(folder.iterdir()) if folder.exists() else []


def opened(story):
    """(format, width, height) of every recorded rendition, read back from the files with Pillow."""
    result = []
    for item in story.hero_image_renditions["files"]:
        with story.hero_image.storage.open(item["name"]) as file, Image.open(file) as image:
            assert image.size == (item["width"], item["height"]), item
            result.append((image.format, image.width, image.height))
    return sorted(result)


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("make_renditions", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# Making renditions


def test_renditions_have_the_standard_widths_in_webp_and_the_original_format(pictured):
    """A 2000×1000 JPEG gets 480, 800, 1200 and 1600 pixel copies in WebP and JPEG, proportions kept."""
    story = pictured((2000, 1000), "JPEG")
    assert make_renditions(story) == 8
    widths = [(480, 240), (800, 400), (1200, 600), (1600, 800)]
    assert opened(story) == sorted([("JPEG", *size) for size in widths] + [("WEBP", *size) for size in widths])
    record = Story.objects.get(pk=story.pk).hero_image_renditions
    assert (record["source"], record["width"], record["height"]) == (story.hero_image.name, 2000, 1000)
    assert all(re.fullmatch(r"renditions/[0-9a-f]{16}-\d+\.(webp|jpg)", item["name"]) for item in record["files"])


@pytest.mark.parametrize(
    ("width", "expected"),
    [(1000, [480, 800, 1000]), (1200, [480, 800, 1200]), (300, [300]), (480, [480])],
)
def test_renditions_never_upscale(pictured, width, expected):
    """A PNG narrower than the largest width gets the standard widths below its own, then its own, never more."""
    story = pictured((width, width // 2), "PNG")
    make_renditions(story)
    sizes = opened(story)
    assert sorted({size[1] for size in sizes}) == expected
    assert {size[0] for size in sizes} == {"PNG", "WEBP"}
    assert max(size[1] for size in sizes) <= width


def test_other_formats_fall_back_to_jpeg_or_png(make_story):
    """A GIF original gets PNG fallbacks and a transparent one keeps its transparency in them."""
    story = make_story("Прозоре лого", hero_image_alt="Лого")
    gif = io.BytesIO()
    Image.new("P", (600, 300), 0).save(gif, format="GIF", transparency=0)
    story.hero_image.save("logo.gif", ContentFile(gif.getvalue()), save=True)
    make_renditions(story)
    assert {kind for kind, _w, _h in opened(story)} == {"PNG", "WEBP"}
    png = next(item for item in story.hero_image_renditions["files"] if item["format"] == "png")
    with story.hero_image.storage.open(png["name"]) as file, Image.open(file) as image:
        assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0


def test_renditions_of_a_rotated_photo_stand_upright(make_story):
    """A camera photo stored sideways with an EXIF orientation gets upright renditions, EXIF removed."""
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    story = make_story("Фото з телефона", hero_image_alt="Вулиця")
    story.hero_image.save("phone.jpg", ContentFile(image_bytes((1000, 600), exif=exif.tobytes())), save=True)
    make_renditions(story)
    record = story.hero_image_renditions
    assert (record["width"], record["height"]) == (600, 1000)
    first = record["files"][0]
    with story.hero_image.storage.open(first["name"]) as file, Image.open(file) as image:
        assert image.height > image.width and not image.getexif()


def test_renditions_are_made_once(pictured, media_root):
    """A second run writes no file and leaves the existing ones untouched."""
    story = pictured()
    make_renditions(story)
    before = {path: path.stat().st_mtime_ns for path in rendition_files(media_root)}
    assert make_renditions(Story.objects.get(pk=story.pk)) == 0
    assert {path: path.stat().st_mtime_ns for path in rendition_files(media_root)} == before
    assert len(before) == 8


def test_a_replaced_image_gets_its_own_renditions(pictured):
    """When the file changes, the old record is ignored and the new image's renditions are made."""
    story = pictured((2000, 1000))
    make_renditions(story)
    story.hero_image.save("inshe.png", ContentFile(image_bytes((900, 900), "PNG")), save=True)
    assert not renditions.renditions_current(story)
    make_renditions(story)
    assert sorted({width for _kind, width, _h in opened(story)}) == [480, 800, 900]


# The management command


def test_command_reports_created_skipped_and_failed(pictured, make_story):
    """The command makes missing renditions, skips those made, and counts an unreadable original as failed."""
    first, second = pictured(headline="Перша"), pictured(headline="Друга")
    make_renditions(first)
    broken = make_story("Зламане фото", hero_image_alt="Фото")
    broken.hero_image.save("broken.jpg", ContentFile(b"not an image"), save=True)
    make_story("Без фото")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 hero images could not be processed"):
        call_command("make_renditions", stdout=out, stderr=err)
    assert out.getvalue().strip().endswith("created 1, skipped 1, failed 1")
    assert f"failed story {broken.pk} ({broken.hero_image.name})" in err.getvalue()
    assert renditions.renditions_current(Story.objects.get(pk=second.pk))


def test_command_second_run_creates_nothing_and_force_remakes(pictured, media_root):
    """Run again, the command skips every image; with --force it writes the files anew."""
    pictured()
    assert run_command()[0].strip().endswith("created 1, skipped 0, failed 0")
    before = {path: path.stat().st_mtime_ns for path in rendition_files(media_root)}
    out, _err = run_command("-v", "2")
    assert "skipped stories/" in out and out.strip().endswith("created 0, skipped 1, failed 0")
    assert {path: path.stat().st_mtime_ns for path in rendition_files(media_root)} == before
    assert run_command("--force")[0].strip().endswith("created 1, skipped 0, failed 0")
    assert {path: path.stat().st_mtime_ns for path in rendition_files(media_root)} != before


def test_demo_loader_makes_renditions_for_its_images():
    """The demo stories' generated hero images have their renditions after load_demo, and a rerun adds none."""
    call_command("load_demo", stdout=io.StringIO())
    with_images = Story.objects.exclude(hero_image="")
    assert with_images.count() == 2
    for story in with_images:
        assert renditions.renditions_current(story)
        assert sorted({item["width"] for item in story.hero_image_renditions["files"]}) == [480, 800, 1200]
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "nothing changed" in out.getvalue()


# What pages print


def test_story_page_prints_a_picture_with_webp_source_srcset_sizes_and_size(client, pictured):
    """With renditions, the hero is a <picture>: a WebP <source> and a JPEG <img> with srcset, sizes, width and height."""
    story = pictured((2000, 1000))
    make_renditions(story)
    html = client.get(story.get_absolute_url()).content.decode()
    picture = re.search(r'<figure class="hero">\s*(<picture>.*?</picture>)', html, re.S).group(1)
    source = re.search(r"<source [^>]*>", picture).group(0)
    img = re.search(r"<img [^>]*>", picture).group(0)
    assert 'type="image/webp"' in source and HERO_SIZES in source
    assert re.search(r'srcset="/media/renditions/\w+-480\.webp 480w, .*-1600\.webp 1600w"', source)
    assert re.search(r'srcset="/media/renditions/\w+-480\.jpg 480w, .*-1600\.jpg 1600w"', img)
    assert re.search(r'src="/media/renditions/\w+-1600\.jpg"', img)
    assert HERO_SIZES in img and 'width="1600" height="800"' in img
    assert 'alt="Новий міст на світанку"' in img and "loading=" not in img
    assert "<figcaption>" in html and "Міст після ремонту." in html


def test_story_page_falls_back_to_the_original_until_renditions_exist(client, pictured):
    """Before renditions are made the original is shown alone, sized when its size is recorded."""
    unknown, sized = (
        pictured((2000, 1000), headline="Розмір невідомий"),
        pictured((2000, 1000), headline="Розмір відомий"),
    )
    renditions.record_original_size(sized, Image.new("RGB", (2000, 1000)))
    html = client.get(unknown.get_absolute_url()).content.decode()
    assert f'<img src="{unknown.hero_image.url}" alt="Новий міст на світанку">' in html and "<picture" not in html
    html = client.get(sized.get_absolute_url()).content.decode()
    assert f'<img src="{sized.hero_image.url}" alt="Новий міст на світанку" width="2000" height="1000">' in html


def test_imported_image_address_is_a_plain_img_with_alt_or_headline(client, make_story):
    """An image addressed elsewhere is one <img> with its alt text, or the headline when the import gave none."""
    described = make_story("Порт відновив роботу", hero_image_url="https://img.example/port.jpg", hero_image_alt="Порт")
    bare = make_story("Зерно пішло на експорт", hero_image_url="https://img.example/zerno.jpg")
    assert (
        '<img src="https://img.example/port.jpg" alt="Порт">'
        in client.get(described.get_absolute_url()).content.decode()
    )
    page = client.get(bare.get_absolute_url()).content.decode()
    assert '<img src="https://img.example/zerno.jpg" alt="Зерно пішло на експорт">' in page


def test_cards_show_lazy_thumbnails(client, pictured, make_story):
    """Cards show a lazy rendition thumbnail sized for cards, or a lazy plain <img> for an imported address."""
    story = pictured((2000, 1000), headline="Фото в картці")
    make_renditions(story)
    make_story("Імпортована", hero_image_url="https://img.example/a.jpg")
    make_story("Без зображення")
    html = client.get("/").content.decode()
    picture = re.search(r'<picture class="card-image">(.*?)</picture>', html, re.S).group(1)
    assert '<source type="image/webp"' in picture and CARD_SIZES in picture
    assert 'loading="lazy"' in picture and 'width="1600" height="800"' in picture
    assert '<img src="https://img.example/a.jpg" alt="Імпортована" class="card-image" loading="lazy"' in html
    assert html.count('class="card-image"') == 2


def test_pages_read_no_image_files(client, pictured, monkeypatch):
    """Rendering a story page and a list never opens, checks or decodes an image file."""
    story = pictured()
    make_renditions(story)

    def forbidden(*args, **kwargs):
        raise AssertionError("a page touched an image file")

    for name in ("open", "exists", "size"):
        monkeypatch.setattr(FileSystemStorage, name, forbidden)
    monkeypatch.setattr(Image, "open", forbidden)
    assert client.get(story.get_absolute_url()).status_code == 200
    assert client.get("/").status_code == 200


def test_story_page_and_home_stay_within_budget(client, pictured, django_assert_max_num_queries):
    """Hero images cost no query: the story page and a home page of pictured cards stay within eight queries."""
    stories = [pictured(headline=f"Новина з фото {number}", tags=["Фото"]) for number in range(5)]
    for story in stories:
        make_renditions(story)
    with django_assert_max_num_queries(BUDGET):
        assert client.get(stories[0].get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(BUDGET):
        html = client.get("/").content.decode()
    assert html.count('<picture class="lead-image">') == 1 and html.count('<picture class="card-image">') == 4


# Alt text


@pytest.mark.parametrize(
    ("fields", "valid"),
    [
        ({"hero_image": "stories/a.jpg"}, False),
        ({"hero_image_url": "https://img.example/a.jpg"}, False),
        ({"hero_image_url": "https://img.example/a.jpg", "hero_image_alt": "   "}, False),
        ({"hero_image": "stories/a.jpg", "hero_image_alt": "Міст"}, True),
        ({"hero_image": "stories/a.jpg", "status": Story.Status.DRAFT}, True),
        ({}, True),
    ],
)
def test_published_story_with_image_needs_alt_text(fields, valid):
    """clean() refuses a published story whose hero image has no alt text, on the alt field; drafts may wait."""
    story = Story(headline="Новина", slug="novyna", **{"status": Story.Status.PUBLISHED, **fields})
    if valid:
        story.clean()
        return
    with pytest.raises(ValidationError) as caught:
        story.clean()
    assert list(caught.value.message_dict) == ["hero_image_alt"]
    # The editors' language, Ukrainian, as the admin shows it.
    assert "альтернативний текст" in caught.value.message_dict["hero_image_alt"][0]


def published_form(**fields):
    return story_post(status=Story.Status.PUBLISHED, published_at_0="2024-03-28", published_at_1="10:00", **fields)


def upload(size=(1000, 500)):
    return SimpleUploadedFile("mist.jpg", image_bytes(size), content_type="image/jpeg")


def test_admin_refuses_to_publish_an_image_without_alt_text(admin_client):
    """The story form keeps a published story with a hero image but no alt text unsaved, with the error on the alt field."""
    response = admin_client.post(ADD_URL, published_form(hero_image=upload()), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["hero_image_alt"]
    assert not Story.objects.exists()


def test_admin_save_records_the_size_and_makes_renditions_after_commit(
    admin_client, django_capture_on_commit_callbacks
):
    """Saving an upload records its size at once and makes the renditions when the transaction commits."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert_saved(admin_client.post(ADD_URL, published_form(hero_image=upload(), hero_image_alt="Міст")))
    story = Story.objects.get()
    assert story.hero_image_renditions == {"source": story.hero_image.name, "width": 1000, "height": 500, "files": []}
    (make,) = [callback for callback in callbacks if getattr(callback, "func", None) is renditions.refresh_renditions]
    make()
    story.refresh_from_db()
    assert sorted({item["width"] for item in story.hero_image_renditions["files"]}) == [480, 800, 1000]


def test_publish_action_refuses_stories_whose_image_lacks_alt_text(admin_client, make_story):
    """The publish action leaves a draft with an image but no alt text unpublished and says why."""
    bare = make_story("Фото без опису", status=Story.Status.DRAFT, published_at=None, hero_image="stories/a.jpg")
    imported = make_story(
        "Фото з адреси", status=Story.Status.DRAFT, published_at=None, hero_image_url="https://img.example/a.jpg"
    )
    described = make_story(
        "Фото з описом", status=Story.Status.DRAFT, published_at=None, hero_image="stories/b.jpg", hero_image_alt="Опис"
    )
    messages = run_action(admin_client, "publish", [bare, imported, described])
    assert messages[0] == "1 story was published."
    assert messages[1].startswith("2 stories were not published:")
    assert f"{bare.slug}: A published story's hero image needs alt text" in messages[1]
    statuses = dict(Story.objects.values_list("headline", "status"))
    assert statuses == {"Фото без опису": "draft", "Фото з адреси": "draft", "Фото з описом": "published"}
