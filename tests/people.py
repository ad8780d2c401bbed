"""Staff users in the Reporter and Editor groups (made by migration 0007), and test clients logged in as them."""

from django.contrib.auth.models import Group
from django.test import Client


def staff_member(django_user_model, username, role=None, **names):
    """A staff user, in the group named `role` when one is given; `names` are first_name/last_name."""
    user = django_user_model.objects.create_user(username, password="x", is_staff=True, **names)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def logged_in(user, **client_options):
    client = Client(**client_options)
    client.force_login(user)
    return client
