"""Editors see failed logins and unlock them (django-axes' AccessAttempt: unlocking is deleting the row)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# A frozen copy, like 0007's.
EDITOR_LOGIN_ATTEMPTS = ["view_accessattempt", "delete_accessattempt"]


def grant_unlocking(apps, schema_editor):
    app_config = apps.get_app_config("axes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="axes", codename__in=EDITOR_LOGIN_ATTEMPTS)
    for group in apps.get_model("auth", "Group").objects.filter(name="Editor"):
        group.permissions.add(*permissions)


def revoke_unlocking(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="axes", codename__in=EDITOR_LOGIN_ATTEMPTS)
    for group in apps.get_model("auth", "Group").objects.filter(name="Editor"):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_audit_log"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant_unlocking, revoke_unlocking)]
