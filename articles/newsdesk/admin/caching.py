from articles.site.caching import public_site_changed


class ActionsInvalidatePublicPages:
    """Admin actions change rows in bulk (QuerySet.update, bulk_update), which sends no signal to the page cache.

    Saves and deletes through the forms send signals (articles/writing/signals.py); this covers every action,
    including ones added later, such as merging tags.
    """

    def response_action(self, request, queryset):
        response = super().response_action(request, queryset)
        public_site_changed()
        return response
