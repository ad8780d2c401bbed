"""What a public page shows, and forgetting exactly the pages a write touched.

`keys` names what a page can show; `invalidation` records when each of those things last changed and tells the
front-end cache (`purge`); the page cache (articles.site.caching) serves a stored page only while none of the keys
it was stored with changed after it was rendered.
"""
