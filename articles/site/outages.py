"""Readers' pages while the database is down: a short 503 that says to come back, instead of a 500.

Pages in the page cache need no database and are still served from it (articles.site.caching); this answers the rest.
"""

import logging

import psycopg
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

# Django wraps the driver's errors in its own; the driver's are listed for code that reaches psycopg directly.
DATABASE_DOWN = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)
RETRY_AFTER_SECONDS = 30
logger = logging.getLogger(__name__)


class DatabaseOutageMiddleware:
    """Answers 503 with Retry-After when a public view, or the rendering of its page, cannot reach the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        # The admin keeps Django's 500: editors see the error and it is reported like any other.
        if not isinstance(exception, DATABASE_DOWN) or request.path.startswith(reverse("admin:index")):
            return None
        logger.error("The database is unavailable; %s answered 503", request.path, exc_info=exception)
        return service_unavailable()


def service_unavailable():
    # Rendered without the request, so no context processor runs: none may touch the database that is down.
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response
