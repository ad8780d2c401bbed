import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from articles.newsdesk.workflow import EDITOR, REPORTER

USERNAME = "admin"
# Staff to try the roles with (same password): (username, group, first name, last name).
DEMO_STAFF = [("reporter", REPORTER, "Марія", "Коваленко"), ("editor", EDITOR, "Олена", "Петренко")]


def read_or_create_password(path):
    """The password is made once and kept in a file, so restarts and new databases reuse it."""
    try:
        password = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        password = ""
    if password:
        return password
    password = secrets.token_urlsafe(12)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(password + "\n")
    return password


class Command(BaseCommand):
    help = f"Ensure the demo superuser {USERNAME!r}, a reporter and an editor exist and print how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"), help="host shown in the admin URL")
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"), help="port shown in the admin URL")
        parser.add_argument(
            "--password-file",
            type=Path,
            default=Path(settings.BASE_DIR) / ".demo_admin_password",
            help="where the generated password is kept (default: .demo_admin_password)",
        )

    def handle(self, *args, host, port, password_file, **options):
        password = read_or_create_password(password_file)
        user, created = get_user_model().objects.get_or_create(username=USERNAME)
        if created or not (user.is_active and user.is_staff and user.is_superuser and user.check_password(password)):
            user.is_active = user.is_staff = user.is_superuser = True
            user.set_password(password)
            user.save()
        for username, role, first_name, last_name in DEMO_STAFF:
            ensure_staff(username, role, password, first_name=first_name, last_name=last_name)
        self.stdout.write(f"Admin: http://{host}:{port}/admin/  login: {USERNAME}  password: {password}")
        roles = ", ".join(f"{username} ({role})" for username, role, *_names in DEMO_STAFF)
        self.stdout.write(f"To try the roles, log in as {roles} with the same password.")


def ensure_staff(username, role, password, **names):
    """A staff member of the group `role` (made by migration 0007) who logs in with `password`."""
    user, _created = get_user_model().objects.get_or_create(username=username, defaults=names)
    if not (user.is_active and user.is_staff and user.check_password(password)):
        user.is_active = user.is_staff = True
        user.set_password(password)
        user.save()
    user.groups.add(Group.objects.get(name=role))
