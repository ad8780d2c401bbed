"""The Reporter and Editor groups with their model permissions (see articles/newsdesk/workflow.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# A frozen copy: later changes to articles.newsdesk.workflow must not change what this migration did.
STORY_PARTS = ["byline", "attribution", "relatedlink", "taggedstory"]
CATALOGUES = ["section", "author", "source", "tag"]
GROUP_PERMISSIONS = {
    "Reporter": [f"{action}_story" for action in ("add", "change", "view")]
    + [f"{action}_{model}" for model in STORY_PARTS for action in ("add", "change", "delete", "view")]
    + [f"view_{model}" for model in CATALOGUES],
    "Editor": ["publish_story"]
    + [f"{action}_{model}" for model in ["story", *STORY_PARTS, *CATALOGUES] for action in ("add", "change", "delete", "view")],
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations run; the groups need them now.
    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(content_type__app_label="articles", codename__in=codenames))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUP_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_story_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
