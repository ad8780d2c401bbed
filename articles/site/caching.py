"""The public page cache: rendered pages kept in Django's cache, and the matching headers for browsers and proxies.

Every page key contains one "site version" token. Any change readers could see replaces the token, at once and
when its transaction commits (`public_site_changed()`), so one cheap write invalidates every page without
tracking which page showed what; pages of older versions simply expire.

Time changes pages too: a story scheduled for 09:00, or under embargo until then, must be on the site at 09:00
without anyone purging. So a page is kept (and `max-age` allows proxies to keep it) for PUBLIC_CACHE_SECONDS,
or until the next moment a story goes public when that comes sooner. That moment costs one aggregate query per
site version and is checked against `timezone.now()` rather than left to the backend's own expiry.
"""

import hashlib
import logging
import uuid
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.http import urlencode
from django.utils.translation import get_language

from articles.models import Story

VERSION_KEY = "public:site-version"
logger = logging.getLogger(__name__)


def site_version():
    """The current version token, or None when the cache cannot be reached (pages are then rendered uncached)."""
    try:
        return cache.get_or_set(VERSION_KEY, new_version, timeout=None)
    except Exception:
        # A cache outage must slow the site down, not take it down.
        logger.exception("The public page cache is unavailable; serving pages uncached")
        return None


def new_version():
    # Random rather than a counter: a version key lost to eviction or a restart never reuses an old token.
    return uuid.uuid4().hex[:16]


def bump_site_version():
    try:
        cache.set(VERSION_KEY, new_version(), timeout=None)
    except Exception:
        # The rows are saved: a cache outage must not fail an editor's save or an import. Pages expire on time.
        logger.exception("Could not invalidate the public page cache")


class SiteVersionBump:
    """An on_commit callback that remembers having run, so a transaction registers at most one pending bump."""

    ran = False

    def __call__(self):
        self.ran = True
        bump_site_version()


def public_site_changed(using=None):
    """Invalidate every cached public page now, and again when the current transaction commits.

    Now, so that this connection's next page (a test's, or a view that saves then renders) shows the change;
    on commit, because another process may have cached a page from the old rows in between. A transaction
    registers one commit-time bump however many rows it saves; outside a transaction on_commit runs at once.
    """
    connection = transaction.get_connection(using)
    if connection.in_atomic_block:
        bump_site_version()
        if any(isinstance(entry[1], SiteVersionBump) and not entry[1].ran for entry in connection.run_on_commit):
            return
    transaction.on_commit(SiteVersionBump(), using=using)


def next_public_at(version, now):
    """The timestamp at which the next scheduled or embargoed story goes public, or None."""
    key = f"public:next:{version}"
    cached = cache.get(key)
    if cached is None or (cached[0] is not None and cached[0] <= now.timestamp()):
        moment = Story.objects.next_public_at(now)
        cached = (moment.timestamp() if moment else None,)
        cache.set(key, cached, settings.PUBLIC_CACHE_SECONDS)
    return cached[0]


def page_lifetime(version, now):
    """Whole seconds a page rendered now may be kept: never past the next publication."""
    seconds = settings.PUBLIC_CACHE_SECONDS
    upcoming = next_public_at(version, now)
    if upcoming is not None:
        seconds = min(seconds, upcoming - now.timestamp())
    return max(0, int(seconds))


def keep_page_params(request, params):
    """Leave in request.GET only the parameters the page is made of (`params`), without empty values.

    So ?utm_source=…, ?fbclid=… and the like neither make a page of their own in the cache nor show up in the page
    (the language links, the canonical URL): every request sharing a key renders the same page. A parameter the
    view reads but does not declare is not seen at all, which a test of that view notices, rather than one reader's
    page being served for another's.
    """
    kept = [(name, value) for name, values in request.GET.lists() if name in params for value in values if value]
    request.GET = QueryDict(urlencode(kept))


def page_key(request, version):
    # Scheme and host (the canonical link prints both), path, and the page's parameters in a fixed order.
    query = urlencode(sorted((name, value) for name, values in request.GET.lists() for value in values))
    address = f"{request.build_absolute_uri(request.path)}?{query}"
    url = hashlib.md5(address.encode(), usedforsecurity=False).hexdigest()
    return f"public:page:{version}:{get_language()}:{url}"


def mark_public(response, seconds):
    if "Cache-Control" in response:
        del response["Cache-Control"]
    patch_cache_control(response, public=True, max_age=seconds)
    # The interface language comes from Accept-Language (LocaleMiddleware adds that Vary) or the language
    # cookie: without Vary: Cookie a browser or proxy would keep showing a reader the language they just left.
    patch_vary_headers(response, ("Cookie",))


def is_personal(request):
    """Whether rendering read the session (the user) or asked for a CSRF token: such a page is not for everyone."""
    session = getattr(request, "session", None)
    return bool(session is not None and session.accessed) or bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))


def cached_page(key, now):
    """The stored response for `key` while it is fresh, else None (also when the cache cannot be reached)."""
    try:
        entry = cache.get(key)
    except Exception:
        logger.exception("Could not read the public page cache")
        return None
    if entry is None or now.timestamp() >= entry[0]:
        return None
    response = entry[1]
    mark_public(response, int(entry[0] - now.timestamp()))
    return response


def keep_when_rendered(request, response, key, expires, seconds):
    """Store the response once rendered, unless rendering it read something personal."""

    def store(rendered):
        if is_personal(request):
            patch_cache_control(rendered, private=True)
            return
        set_response_etag(rendered)
        if seconds and request.method == "GET":
            try:
                cache.set(key, (expires, rendered), seconds)
            except Exception:
                logger.exception("Could not write the public page cache")

    if callable(getattr(response, "add_post_render_callback", None)):
        response.add_post_render_callback(store)
    else:
        store(response)


def is_storable(response):
    return not (response.status_code != 200 or response.streaming or response.cookies or "Cache-Control" in response)


def public_page(view, params=()):
    """Serve a public view from the page cache, and tell browsers and proxies how long they may keep it.

    `params` names the query parameters the page depends on; the view sees no others (`keep_page_params`).
    Only a 200 response that sets no cookie and no Cache-Control of its own is cached. ETags are added here,
    so a cached page is not hashed again; ConditionalGetMiddleware answers If-None-Match with 304.
    """

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        keep_page_params(request, params)
        if settings.PUBLIC_CACHE_SECONDS <= 0:
            return view(request, *args, **kwargs)
        now = timezone.now()
        version = site_version()
        if version is None:
            return view(request, *args, **kwargs)
        key = page_key(request, version)
        if (response := cached_page(key, now)) is not None:
            return response
        seconds = page_lifetime(version, now)
        response = view(request, *args, **kwargs)
        if not is_storable(response):
            return response
        # Feeds and sitemaps date themselves by their newest item. Withdrawing that item moves the date back,
        # and a client asking If-Modified-Since would be told "not modified" and keep the withdrawn story;
        # the ETag changes with the content, so it alone answers conditional requests.
        if "Last-Modified" in response:
            del response["Last-Modified"]
        mark_public(response, seconds)
        keep_when_rendered(request, response, key, now.timestamp() + seconds, seconds)
        return response

    return cached_view


class PublicPageMixin:
    """For class-based views: as_view() returns the view wrapped in public_page(), for the query `page_params`."""

    page_params = ("page",)

    @classmethod
    def as_view(cls, **initkwargs):
        return public_page(super().as_view(**initkwargs), params=cls.page_params)
