"""The editors' admin: stories with their ordered inlines, the catalogues they point to, and the audit log."""

from articles.newsdesk.admin import audit, catalog, previews, stories  # noqa: F401 - importing registers the model admins
