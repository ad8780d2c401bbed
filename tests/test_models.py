from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from articles.models import RelatedLink, Source, Story

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
WHEN = {"past": -DAY, "future": DAY, None: None}


def moment(when):
    return None if WHEN[when] is None else timezone.now() + WHEN[when]


@pytest.mark.parametrize("status", Story.Status.values)
@pytest.mark.parametrize("published", ["past", "future", None])
@pytest.mark.parametrize("embargo", [None, "past", "future"])
def test_published_is_live_stories_past_their_time_and_embargo(make_story, status, published, embargo):
    story = make_story(status=status, published_at=moment(published), embargo_until=moment(embargo))

    expected = status == Story.Status.PUBLISHED and published == "past" and embargo in (None, "past")
    assert Story.objects.published().filter(pk=story.pk).exists() is expected
    assert story.is_public() is expected


def test_published_at_a_given_moment(make_story):
    story = make_story(published_at=timezone.now() + DAY)

    assert not Story.objects.published().filter(pk=story.pk).exists()
    assert Story.objects.published(at=timezone.now() + 2 * DAY).filter(pk=story.pk).exists()
    assert story.is_public(at=timezone.now() + 2 * DAY)


def test_same_headline_on_the_same_day_gets_a_numbered_slug(make_story):
    morning = datetime(2024, 5, 6, 7, 0, tzinfo=UTC)
    first = make_story("Рада ухвалила бюджет", published_at=morning)
    second = make_story("Рада ухвалила бюджет", published_at=morning + timedelta(hours=5))
    third = make_story("Рада ухвалила бюджет", published_at=morning + timedelta(hours=6))

    assert first.slug == "rada-ukhvalyla-biudzhet"
    assert second.slug == "rada-ukhvalyla-biudzhet-2"
    assert third.slug == "rada-ukhvalyla-biudzhet-3"


def test_same_headline_on_another_day_keeps_the_plain_slug(make_story):
    first = make_story("Рада ухвалила бюджет", published_at=datetime(2024, 5, 6, 7, 0, tzinfo=UTC))
    second = make_story("Рада ухвалила бюджет", published_at=datetime(2024, 5, 7, 7, 0, tzinfo=UTC))

    assert first.slug == second.slug == "rada-ukhvalyla-biudzhet"


def test_the_day_of_a_slug_is_the_kyiv_calendar_day(make_story):
    # 21:30 UTC is 23:30 in Kyiv on the 27th; 22:30 UTC is already the 28th there.
    evening = make_story("Нічна новина", published_at=datetime(2024, 3, 27, 21, 30, tzinfo=UTC))
    after_midnight = make_story("Нічна новина", published_at=datetime(2024, 3, 27, 22, 30, tzinfo=UTC))

    assert evening.slug == after_midnight.slug == "nichna-novyna"


def test_slug_is_never_empty(make_story):
    story = make_story("!!! — ???")

    assert story.slug.startswith("story-")
    assert story.slug.isascii()


def test_russian_story_slug_uses_the_russian_scheme(make_story):
    story = make_story("Северная Корея", language="ru")

    assert story.slug == "severnaya-koreya"


def test_slug_stays_when_the_headline_changes(make_story):
    story = make_story("Перший заголовок")
    story.headline = "Виправлений заголовок"
    story.save()
    story.refresh_from_db()

    assert story.slug == "pershyi-zaholovok"


def test_save_sanitises_the_body(make_story):
    story = make_story(body='<p onclick="steal()">Текст</p><script>alert(1)</script><a href="javascript:x()">лінк</a>')
    story.refresh_from_db()

    assert "script" not in story.body
    assert "onclick" not in story.body
    assert "javascript" not in story.body
    assert story.body.startswith("<p>Текст</p>")


def test_body_blocks_place_inline_links_after_their_paragraph(make_story):
    story = make_story(body="<p>Один.</p><p>Два.</p><p>Три.</p>")
    before = RelatedLink.objects.create(story=story, kind=RelatedLink.Kind.READ_ALSO, paragraph=0, title="На початку")
    after_one = RelatedLink.objects.create(story=story, kind=RelatedLink.Kind.READ_ALSO, paragraph=1, title="Після")
    beyond = RelatedLink.objects.create(story=story, kind=RelatedLink.Kind.READ_ALSO, paragraph=99, title="В кінці")
    RelatedLink.objects.create(story=story, kind=RelatedLink.Kind.MORE, title="Ще на цю тему")

    assert story.body_blocks() == [
        ("", [before]),
        ("<p>Один.</p>", [after_one]),
        ("<p>Два.</p>", []),
        ("<p>Три.</p>", [beyond]),
    ]


def test_related_link_points_at_a_public_story(make_story):
    target = make_story("Публічна новина")
    link = RelatedLink.objects.create(
        story=make_story(), title=target.headline, url="https://example.org/a", target=target
    )

    assert link.href() == target.get_absolute_url()


def test_related_link_to_a_draft_falls_back_to_its_url(make_story):
    draft = make_story("Чернетка", status=Story.Status.DRAFT)
    link = RelatedLink.objects.create(
        story=make_story(), title=draft.headline, url="https://example.org/a", target=draft
    )

    assert link.href() == "https://example.org/a"


def test_source_names_include_its_aliases():
    source = Source.objects.create(name="Служба зовнішньої розвідки", aliases="СЗР\n  \n SVR \n")

    assert source.names() == ["Служба зовнішньої розвідки", "СЗР", "SVR"]
    assert source.slug == "sluzhba-zovnishnoi-rozvidky"


def test_story_url_uses_the_kyiv_publication_date(make_story):
    story = make_story("Наришкін провів три дні у Пхеньяні", published_at=datetime(2024, 3, 27, 23, 30, tzinfo=UTC))

    assert story.get_absolute_url() == "/2024/03/28/naryshkin-proviv-try-dni-u-pkheniani/"
