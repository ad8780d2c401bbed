"""The editors' admin: stories with their ordered inlines, and the catalogues they point to."""

from articles.admin import catalog, previews, stories  # noqa: F401 - importing registers the model admins
