"""Login throttling through the real admin login form (django-axes, newsroom/settings.py)."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.people import logged_in, staff_member

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("admin:login")
INDEX_URL = reverse("admin:index")
ATTEMPTS_URL = reverse("admin:axes_accessattempt_changelist")
UKRAINIAN = {"HTTP_ACCEPT_LANGUAGE": "uk"}


@pytest.fixture(autouse=True)
def throttling(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5


@pytest.fixture
def reporter(django_user_model):
    return staff_member(django_user_model, "reporter", "Reporter")


def log_in(client, username, password, **headers):
    return client.post(LOGIN_URL, {"username": username, "password": password, "next": INDEX_URL}, **headers)


def fail(client, username, times, **headers):
    return [log_in(client, username, "wrong", **headers).status_code for _ in range(times)]


def test_five_wrong_passwords_lock_the_user_out_from_that_address(reporter):
    """Four wrong passwords get the login form again, the fifth locks out; then even the right one gets 429."""
    client = Client(REMOTE_ADDR="203.0.113.5")
    assert fail(client, "reporter", 5) == [200] * 4 + [429]
    response = log_in(client, "reporter", "x", **UKRAINIAN)
    assert response.status_code == 429
    assert "Забагато невдалих спроб входу" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(INDEX_URL).status_code == 302  # still not logged in: sent to the login page


def test_thirty_wrong_passwords_are_not_all_answered_with_the_form(reporter):
    """A run of guesses is cut off: after the limit every answer is the lockout page, never the login form."""
    codes = fail(Client(REMOTE_ADDR="203.0.113.5"), "reporter", 30)
    assert codes[:4] == [200] * 4
    assert set(codes[4:]) == {429}


def test_the_lockout_is_per_user_and_address(reporter, django_user_model):
    """A lockout of one user name from one address leaves that user elsewhere, and other users there, alone."""
    staff_member(django_user_model, "editor", "Editor")
    fail(Client(REMOTE_ADDR="203.0.113.5"), "reporter", 5)
    assert log_in(Client(REMOTE_ADDR="198.51.100.7"), "reporter", "x").status_code == 302
    assert log_in(Client(REMOTE_ADDR="203.0.113.5"), "editor", "x").status_code == 302
    assert log_in(Client(REMOTE_ADDR="203.0.113.5"), "reporter", "x").status_code == 429


def test_a_successful_login_starts_the_count_again(reporter):
    """Four failures, a good login, four more failures: still not locked out."""
    client = Client(REMOTE_ADDR="203.0.113.5")
    fail(client, "reporter", 4)
    assert log_in(client, "reporter", "x").status_code == 302
    client.logout()
    assert fail(client, "reporter", 4) == [200] * 4
    assert log_in(client, "reporter", "x").status_code == 302


def test_the_failure_limit_is_the_settings(reporter, settings):
    """LOGIN_FAILURE_LIMIT (AXES_FAILURE_LIMIT) decides after how many failures the lockout starts."""
    settings.AXES_FAILURE_LIMIT = 2
    client = Client(REMOTE_ADDR="203.0.113.5")
    assert fail(client, "reporter", 3) == [200, 429, 429]


def test_forged_forwarded_for_does_not_dodge_the_lockout_without_a_proxy(reporter, settings):
    """Without BEHIND_TLS_PROXY an X-Forwarded-For header is ignored: a new forged address per guess changes nothing."""
    settings.BEHIND_TLS_PROXY = False
    client = Client(REMOTE_ADDR="203.0.113.5")
    codes = [
        log_in(client, "reporter", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}").status_code
        for number in range(1, 8)
    ]
    assert codes == [200] * 4 + [429] * 3
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


def test_behind_the_proxy_the_address_it_appended_counts(reporter, settings):
    """Behind the TLS proxy the last X-Forwarded-For address is the client's: what the client wrote before it is not."""
    settings.BEHIND_TLS_PROXY = True
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for number in range(5):
        log_in(proxy, "reporter", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 203.0.113.5")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    assert log_in(proxy, "reporter", "x", HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    # Another reader behind the same proxy is not locked out with them.
    assert log_in(proxy, "reporter", "x", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302


@pytest.mark.parametrize("role", ["Editor", "superuser"])
def test_editors_and_superusers_see_and_unlock_a_lockout(reporter, django_user_model, admin_user, role):
    """The failed logins are listed in the admin, and deleting the row lets the locked-out user log in again."""
    fail(Client(REMOTE_ADDR="203.0.113.5"), "reporter", 5)
    unlocker = admin_user if role == "superuser" else staff_member(django_user_model, "editor", "Editor")
    client = logged_in(unlocker)
    listing = client.get(ATTEMPTS_URL)
    assert listing.status_code == 200
    attempt = AccessAttempt.objects.get(username="reporter")
    assert attempt in listing.context["cl"].result_list
    assert ATTEMPTS_URL.encode() in client.get(INDEX_URL).content

    response = client.post(ATTEMPTS_URL, {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert log_in(Client(REMOTE_ADDR="203.0.113.5"), "reporter", "x").status_code == 302


def test_reporters_do_not_see_failed_logins(reporter):
    """Failed logins name users and addresses: a reporter gets no list of them."""
    assert logged_in(reporter).get(ATTEMPTS_URL).status_code == 403
