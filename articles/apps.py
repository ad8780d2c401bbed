from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Newsroom")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from articles import revisions, search, signals

        revisions.register()

        # Search first: its commit-time re-index then runs before the commit-time cache purge.
        search.connect()
        signals.connect()
