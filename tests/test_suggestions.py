"""Suggestions on a saved story's change form: sources its text names but does not cite, and related stories."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from articles.models import Attribution, RelatedLink, Source, Story
from articles.models.revisions import latest_revision
from articles.newsdesk.suggestions import related_suggestions, source_finder, unattributed_mentions
from tests.people import logged_in, staff_member
from tests.states import HIDDEN_STATES
from tests.test_admin import ENGLISH, change_url, story_post

pytestmark = pytest.mark.django_db

BODY = (
    "<p>Уряд ухвалив нову програму підтримки портів. Про її вартість першою повідомила Financial Times.</p>"
    "<p>Військові аналітики RUSI вважають, що програма запізнилася. Вантажообіг впав на третину, "
    "за даними Держстату.</p>"
    "<p>У коментарі для Радіо Свободи міністр назвав цифри завищеними.</p>"
)
LEAD = "Порти Одещини отримають гроші на відновлення."


def attribute_url(story):
    return reverse("admin:articles_story_suggestions_attribute", args=[story.pk])


def relate_url(story):
    return reverse("admin:articles_story_suggestions_relate", args=[story.pk])


def english_messages(client, url, data):
    with translation.override("en"):
        response = client.post(url, data, follow=True, **ENGLISH)
    return response, [str(message) for message in response.context["messages"]]


@pytest.fixture
def sources(db):
    return {
        "ft": Source.objects.create(name="Financial Times", kind=Source.Kind.NEWSPAPER),
        "rusi": Source.objects.create(name="Королівський інститут оборонних досліджень", aliases="RUSI"),
        "stat": Source.objects.create(name="Державна служба статистики", aliases="Держстат"),
        "liberty": Source.objects.create(name="Радіо Свобода", kind=Source.Kind.BROADCASTER),
        "kcna": Source.objects.create(name="ЦТАК", kind=Source.Kind.AGENCY),
    }


@pytest.fixture
def story(make_story, sources):
    return make_story("Порти отримають гроші", lead=LEAD, body=BODY, tags=["Порти", "Економіка"])


def suggested_names(story):
    return [mention.source.name for mention in unattributed_mentions(story, source_finder())]


# Sources


def test_sources_named_in_declined_forms_and_by_alias_are_suggested_in_text_order(story):
    """ "Радіо Свободи", "Держстату" and the alias "RUSI" are found; an unnamed source (ЦТАК) is not offered."""
    assert suggested_names(story) == [
        "Financial Times",
        "Королівський інститут оборонних досліджень",
        "Державна служба статистики",
        "Радіо Свобода",
    ]


def test_sources_the_story_already_cites_are_not_suggested(story, sources):
    """An attributed source drops out of the suggestions; the others stay."""
    Attribution.objects.create(story=story, source=sources["ft"], position=1)
    Attribution.objects.create(story=story, source=sources["stat"], position=2)

    assert suggested_names(story) == ["Королівський інститут оборонних досліджень", "Радіо Свобода"]


def test_a_source_named_only_in_the_headline_is_suggested(make_story, sources):
    """The headline counts as text too: "Радіо Свобода" in it is offered even when the body never names it."""
    story = make_story("Радіо Свобода відкрило бюро в Одесі", body="<p>Бюро запрацює восени.</p>")

    assert suggested_names(story) == ["Радіо Свобода"]


def test_change_form_shows_the_found_sources_with_add_buttons(admin_client, story, sources):
    """The panel lists the sources ("Found in the text: …") with one POST button each, naming its own form."""
    with translation.override("en"):
        page = admin_client.get(change_url(story), **ENGLISH).content.decode()

    assert 'id="story-suggestions"' in page
    assert "Found in the text: Financial Times, Королівський інститут" in page
    assert f'formaction="{attribute_url(story)}"' in page
    assert f'name="source" value="{sources["liberty"].pk}"' in page
    assert 'form="story-suggestions-form"' in page
    assert "admin/articles/suggestions.js" in page


def test_no_panel_when_there_is_nothing_to_suggest(admin_client, make_story, sources):
    """A story naming no registered source and with no relative shows no suggestions panel."""
    story = make_story("Без джерел", body="<p>Нічого особливого.</p>")

    response = admin_client.get(change_url(story))

    assert response.status_code == 200
    assert 'id="story-suggestions"' not in response.content.decode()


def test_no_panel_on_the_add_form(admin_client, sources):
    """Only a saved story has suggestions."""
    response = admin_client.get(reverse("admin:articles_story_add"))

    assert 'id="story-suggestions"' not in response.content.decode()


def test_adding_a_suggested_source_cites_it_with_its_sentence_at_the_end_and_logs_it(admin_client, story, sources):
    """One click: an attribution after the existing ones, with the sentence naming it, a log line, a new version."""
    Attribution.objects.create(story=story, source=sources["ft"], position=1, sentence="Financial Times пише.")
    version = story.version

    response, messages = english_messages(admin_client, attribute_url(story), {"source": sources["liberty"].pk})

    assert response.redirect_chain[-1][0] == change_url(story)
    added = Attribution.objects.get(story=story, source=sources["liberty"])
    assert added.position == 2
    assert added.sentence == "У коментарі для Радіо Свободи міністр назвав цифри завищеними."
    assert LogEntry.objects.get(object_id=str(story.pk)).change_message == "Attributed to Радіо Свобода (suggested)."
    assert "Радіо Свобода was added to the story's sources." in messages
    story.refresh_from_db()
    assert story.version > version
    assert "Радіо Свобода" not in suggested_names(story)
    revision = latest_revision(story)
    assert revision.comment == "Attributed to Радіо Свобода (suggested)."
    assert revision.version_set.filter(object_id=str(added.pk)).exists()


def test_the_citing_sentence_of_an_alias_is_the_body_sentence(admin_client, story, sources):
    """RUSI is cited by the sentence of the body that names it."""
    admin_client.post(attribute_url(story), {"source": sources["rusi"].pk})

    sentence = Attribution.objects.get(story=story, source=sources["rusi"]).sentence
    assert sentence == "Військові аналітики RUSI вважають, що програма запізнилася."


def test_a_double_click_adds_the_source_once(admin_client, story, sources):
    """The second POST finds the source cited and changes nothing."""
    admin_client.post(attribute_url(story), {"source": sources["ft"].pk})
    story.refresh_from_db()
    version = story.version

    response, messages = english_messages(admin_client, attribute_url(story), {"source": sources["ft"].pk})

    assert response.status_code == 200
    assert Attribution.objects.filter(story=story).count() == 1
    assert LogEntry.objects.filter(object_id=str(story.pk)).count() == 1
    assert "The story already has it." in messages
    story.refresh_from_db()
    assert story.version == version


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("kcna", "The story's text does not name ЦТАК."),
        ("999999", "No such source is registered."),
        ("not-a-number", "No such source is registered."),
        ("", "No such source is registered."),
    ],
)
def test_a_source_not_named_in_the_text_or_unknown_is_refused(admin_client, story, sources, value, expected):
    """A forged or stale source id gets a clear error message and adds nothing."""
    source_id = sources[value].pk if value in sources else value

    response, messages = english_messages(admin_client, attribute_url(story), {"source": source_id})

    assert response.redirect_chain[-1][0] == change_url(story)
    assert expected in messages
    assert not Attribution.objects.filter(story=story).exists()
    assert not LogEntry.objects.filter(object_id=str(story.pk)).exists()


@pytest.mark.parametrize("url", [attribute_url, relate_url])
def test_accepting_a_suggestion_needs_post(admin_client, story, sources, url):
    """A GET (a link followed, a prefetch) changes nothing: 405."""
    response = admin_client.get(url(story), {"source": sources["ft"].pk})

    assert response.status_code == 405
    assert not Attribution.objects.filter(story=story).exists()


def test_an_unknown_story_is_404(admin_client, sources):
    assert admin_client.post(reverse("admin:articles_story_suggestions_attribute", args=[987654])).status_code == 404


@pytest.fixture
def reporters(django_user_model):
    return staff_member(django_user_model, "reporter", "Reporter"), staff_member(django_user_model, "other", "Reporter")


def test_a_reporter_cannot_add_to_someone_elses_story(make_story, sources, reporters):
    """Another reporter's draft is not theirs to edit: 403, nothing added."""
    owner, other = reporters
    story = make_story("Чужа чернетка", body=BODY, status=Story.Status.DRAFT, created_by=owner)

    response = logged_in(other).post(attribute_url(story), {"source": sources["ft"].pk})

    assert response.status_code == 403
    assert not Attribution.objects.filter(story=story).exists()


def test_a_reporter_cannot_add_to_their_story_once_submitted(make_story, sources, reporters):
    """In review, a story is the editors': its reporter may not change its sources either."""
    owner, _other = reporters
    story = make_story("На розгляді", body=BODY, status=Story.Status.IN_REVIEW, created_by=owner)

    assert logged_in(owner).post(attribute_url(story), {"source": sources["ft"].pk}).status_code == 403
    assert 'id="story-suggestions"' not in logged_in(owner).get(change_url(story)).content.decode()


def test_a_reporter_adds_a_suggested_source_to_their_own_draft(make_story, sources, reporters):
    owner, _other = reporters
    story = make_story("Моя чернетка", body=BODY, status=Story.Status.DRAFT, created_by=owner)

    response = logged_in(owner).post(attribute_url(story), {"source": sources["ft"].pk})

    assert response.status_code == 302
    assert Attribution.objects.filter(story=story, source=sources["ft"]).exists()


def test_saving_the_story_tells_which_sources_the_text_names(admin_client, story, sources):
    """Right after a save the admin message lists the uncited sources found in the text."""
    Attribution.objects.create(story=story, source=sources["stat"], position=1)
    data = story_post(
        headline=story.headline,
        slug=story.slug,
        lead=LEAD,
        body=BODY,
        status=Story.Status.PUBLISHED,
        published_at_0=f"{timezone.localtime(story.published_at):%Y-%m-%d}",
        published_at_1=f"{timezone.localtime(story.published_at):%H:%M:%S}",
        loaded_version=story.version,
        _continue="1",
    )
    data["attributions-TOTAL_FORMS"] = data["attributions-INITIAL_FORMS"] = "1"
    attribution = story.attributions.get()
    data.update(
        {
            "attributions-0-id": attribution.pk,
            "attributions-0-story": story.pk,
            "attributions-0-source": sources["stat"].pk,
            "attributions-0-position": "1",
        }
    )

    response, messages = english_messages(admin_client, change_url(story), data)

    assert response.status_code == 200
    found = [message for message in messages if message.startswith("Found in the text:")]
    assert found == [
        "Found in the text: Financial Times, Королівський інститут оборонних досліджень, Радіо Свобода. "
        "Add them from the suggestions on the story's form."
    ]


def test_adding_a_story_tells_which_sources_its_text_names(admin_client, sources):
    """The message comes right after the first save too, when the story gets its change form."""
    data = story_post(headline="Нова програма для портів", body=BODY, _continue="1")

    _response, messages = english_messages(admin_client, reverse("admin:articles_story_add"), data)

    assert (
        "Found in the text: Financial Times, Королівський інститут оборонних досліджень, Державна служба статистики, "
        "Радіо Свобода. Add them from the suggestions on the story's form."
    ) in messages


def test_saving_a_story_naming_no_source_adds_no_message(admin_client, make_story, sources):
    story = make_story("Тиха новина", body="<p>Нічого особливого.</p>", status=Story.Status.DRAFT)
    data = story_post(headline=story.headline, slug=story.slug, body=story.body, loaded_version=story.version)

    _response, messages = english_messages(admin_client, change_url(story), data)

    assert messages
    assert not [message for message in messages if "Found in the text" in message]


def test_the_finder_is_compiled_again_only_when_a_source_changes(sources, story):
    """Requests reuse the compiled patterns while the sources stay the same; a new alias is found at once."""
    assert source_finder() is source_finder()
    before = source_finder()
    sources["kcna"].aliases = "Урядовий портал"
    sources["kcna"].save()
    Story.objects.filter(pk=story.pk).update(lead="Про це написав Урядовий портал.")
    story.refresh_from_db()

    assert source_finder() is not before
    assert "ЦТАК" in suggested_names(story)


# Related stories


@pytest.fixture
def indexed_story(make_story, django_capture_on_commit_callbacks):
    """make_story, with the search document a committed save would give it."""

    def make(*args, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return make_story(*args, **fields)

    return make


@pytest.fixture
def relatives(indexed_story, story):
    make_story = indexed_story
    now = timezone.now()
    return {
        "two_tags": make_story("Порти і економіка", tags=["Порти", "Економіка"], published_at=now - timedelta(days=5)),
        "one_tag": make_story("Новий термінал", tags=["Порти"], published_at=now - timedelta(days=1)),
        "words": make_story("Порти Дунаю отримають гроші від ЄС", published_at=now - timedelta(days=2)),
        "one_word": make_story("Гроші для шкіл", published_at=now - timedelta(days=2)),
        "unrelated": make_story("Погода на вихідні", tags=["Погода"]),
    }


def headlines(stories):
    return [story.headline for story in stories]


def test_related_stories_rank_shared_tags_first_then_headline_words(story, relatives):
    """More shared tags first, then fewer, then stories sharing two headline words in any form; never one word."""
    assert headlines(related_suggestions(story)) == [
        "Порти і економіка",
        "Новий термінал",
        "Порти Дунаю отримають гроші від ЄС",
    ]


def test_related_stories_are_at_most_five(make_story, story):
    for number in range(8):
        make_story(f"Портова новина {number}", tags=["Порти"])

    assert len(related_suggestions(story)) == 5


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_related_suggestions_never_offer_an_unpublished_story(indexed_story, story, state):
    """Drafts, stories in review, withdrawn, scheduled and embargoed stories are never suggested."""
    fields = dict(HIDDEN_STATES[state])
    if "when" in fields:
        fields["published_at"] = fields.pop("when")
    if fields.get("status") == Story.Status.WITHDRAWN:
        fields["withdrawn_reason"] = "Помилка."
    indexed_story("Порти отримають гроші знову", tags=["Порти", "Економіка"], **fields)

    assert related_suggestions(story) == []


def test_related_suggestions_skip_linked_stories_translations_and_the_story_itself(make_story, story, relatives):
    """A story already linked, and the story's own translation, are not offered again."""
    RelatedLink.objects.create(story=story, title="Порти і економіка", target=relatives["two_tags"])
    make_story("Ports will get money", tags=["Порти", "Економіка"], language="en", translation_of=story)

    assert headlines(related_suggestions(story)) == ["Новий термінал", "Порти Дунаю отримають гроші від ЄС"]


def test_change_form_offers_related_stories(admin_client, story, relatives):
    page = admin_client.get(change_url(story)).content.decode()

    assert f'name="story" value="{relatives["one_tag"].pk}"' in page
    assert f'formaction="{relate_url(story)}"' in page
    assert f'name="story" value="{relatives["unrelated"].pk}"' not in page


def test_adding_a_related_story_links_it_at_the_end_and_logs_it(admin_client, story, relatives):
    """A "more on this topic" link to the story, after the existing links, titled, dated and in its language."""
    RelatedLink.objects.create(story=story, position=1, title="Стара посилання", url="https://example.com/")
    target = relatives["one_tag"]

    _response, messages = english_messages(admin_client, relate_url(story), {"story": target.pk})

    link = RelatedLink.objects.get(story=story, target=target)
    assert (link.kind, link.position, link.title) == (RelatedLink.Kind.MORE, 2, "Новий термінал")
    assert (link.date, link.language) == (target.publication_date, "uk")
    assert LogEntry.objects.get(object_id=str(story.pk)).change_message == (
        "Added related story “Новий термінал” (suggested)."
    )
    assert "“Новий термінал” was added to the related stories." in messages
    assert target not in related_suggestions(story)


def test_a_related_story_is_added_once(admin_client, story, relatives):
    for _click in range(2):
        admin_client.post(relate_url(story), {"story": relatives["one_tag"].pk})

    assert RelatedLink.objects.filter(story=story).count() == 1


@pytest.mark.parametrize("state", ["draft", "scheduled", "itself", "unknown"])
def test_only_another_public_story_can_be_added_as_related(admin_client, make_story, story, state):
    fields = {
        "draft": {"status": Story.Status.DRAFT},
        "scheduled": {"published_at": timezone.now() + timedelta(days=1)},
    }
    target_id = {"itself": story.pk, "unknown": 987654}.get(state) or make_story("Прихована", **fields[state]).pk

    _response, messages = english_messages(admin_client, relate_url(story), {"story": target_id})

    assert "Only another published story can be added as related." in messages
    assert not RelatedLink.objects.filter(story=story).exists()


def test_a_reporter_cannot_relate_stories_on_someone_elses_story(make_story, relatives, reporters):
    owner, other = reporters
    draft = make_story("Чужа чернетка про порти", tags=["Порти"], status=Story.Status.DRAFT, created_by=owner)

    assert logged_in(other).post(relate_url(draft), {"story": relatives["one_tag"].pk}).status_code == 403
    assert not RelatedLink.objects.filter(story=draft).exists()


# Cost


def add_catalogue(indexed_story, sources_count, stories_count, start=0):
    """Sources named nowhere, and stories of which every tenth shares a tag and all share headline words."""
    for number in range(start, start + sources_count):
        Source.objects.create(name=f"Агенція {number}", aliases=f"А{number}")
    for number in range(start, start + stories_count):
        tags = ["Порти"] if number % 10 == 0 else [f"Тема {number}"]
        indexed_story(f"Порти отримають гроші {number}", tags=tags)


def test_change_form_with_suggestions_has_a_fixed_query_budget(
    admin_client, indexed_story, story, django_assert_max_num_queries
):
    """20 sources and 30 candidate stories cost the same queries as 2 and 3: no query per source or story."""
    add_catalogue(indexed_story, 2, 3)
    with CaptureQueriesContext(connection) as few:
        first = admin_client.get(change_url(story))
    add_catalogue(indexed_story, 18, 27, start=3)

    with django_assert_max_num_queries(len(few)) as many:
        response = admin_client.get(change_url(story))

    assert len(first.context["story_suggestions"].stories) == 3
    suggestions = response.context["story_suggestions"]
    assert len(suggestions.sources) == 4
    assert headlines(suggestions.stories) == [
        "Порти отримають гроші 20",
        "Порти отримають гроші 10",
        "Порти отримають гроші 0",
        "Порти отримають гроші 29",
        "Порти отримають гроші 28",
    ]
    assert len(many) == len(few)
