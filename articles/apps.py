from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Newsroom")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The admin lives with the rest of the newsdesk, not in articles/admin.py where autodiscover would look.
        from articles.models import revisions, search
        from articles.newsdesk import admin  # noqa: F401 - importing registers the model admins
        from articles.writing import signals

        revisions.register()

        # Search first: its commit-time re-index then runs before the commit-time cache purge.
        search.connect()
        signals.connect()
