"""axe-core finds nothing serious or critical on the reader's pages, on a phone and on a desktop screen."""

import pytest

from articles.models import Correction
from articles.models.revisions import record_revision
from articles.site.changes import changes_url
from tests.browser.conftest import assert_page_sound

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}
MISSING = "/nothing-here/"


def corrected_story_changes(newsroom):
    """The public "what changed" page of a correction made to the lead story."""
    story = newsroom.lead_story
    record_revision(story, None, "Before the correction.")
    story.lead = story.lead.replace("ворожим кроком", "ворожим і провокаційним кроком")
    story.save()
    revision = record_revision(story, None, "The correction.")
    Correction.objects.create(story=story, text="Уточнено цитату в ліді.", revision=revision)
    return changes_url(story, revision.pk)


PAGES = {
    "home": lambda newsroom: "/",
    "story": lambda newsroom: newsroom.lead_story.get_absolute_url(),
    "russian-story": lambda newsroom: newsroom.russian.get_absolute_url(),
    "tag": lambda newsroom: "/tags/kndr/",
    "stories": lambda newsroom: "/stories/?date_after=2024-02-10&date_before=2024-03-31",
    "search": lambda newsroom: "/search/?q=Пхеньян",
    "what-changed": corrected_story_changes,
    "not-found": lambda newsroom: MISSING,
}


def describe(violations):
    return "\n".join(
        f"- {violation['id']} ({violation['impact']}): {violation['help']} {violation['helpUrl']}\n"
        + "\n".join(
            f"    {', '.join(map(str, node['target']))}: {node['failureSummary']}" for node in violation["nodes"]
        )
        for violation in violations
    )


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_violations(tab, newsroom, name):
    """Each page passes axe-core without a serious or critical violation, and is sound in the browser."""
    from axe_playwright_python.sync_playwright import Axe

    response = tab.open(PAGES[name](newsroom))
    assert response.status == (404 if name == "not-found" else 200)
    violations = Axe().run(tab.page).response["violations"]
    blocking = [violation for violation in violations if violation["impact"] in BLOCKING]
    assert not blocking, f"{tab.page.url}:\n{describe(blocking)}"
    # Chromium reports the 404 document itself as a failed load; anything else on that page is an error.
    assert_page_sound(tab, newsroom, allowed_errors=[f"(Not Found) at {tab.base_url}{MISSING}"])
