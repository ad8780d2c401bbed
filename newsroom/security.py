"""The Content-Security-Policy: settings.SITE_CSP_DIRECTIVES everywhere, loosened only where the admin needs it.

The one inline script the admin has is django-prose-editor's <script type="importmap"> (an import map cannot
be an external file): admin pages allow scripts carrying the request's nonce, and the form media that holds an
import map is rendered with that nonce. Tiptap (inside django-prose-editor's editor.js) adds one fixed <style>
of its base CSS, allowed by its hash; a new django-prose-editor may change it, and tests/browser/test_csp.py
then reports the violation with the new hash. Nothing else is loosened.
"""

from csp.constants import NONCE
from csp.middleware import CSPMiddleware
from django.urls import reverse
from js_asset import Media

TIPTAP_BASE_CSS = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"  # django-prose-editor 0.28.0
ADMIN_DIRECTIVES = {"script-src": [NONCE], "style-src": [TIPTAP_BASE_CSS]}


def is_admin(request):
    return request.path_info.startswith(reverse("admin:index"))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def process_template_response(self, request, response):
        if not is_admin(request):
            return response
        media = (getattr(response, "context_data", None) or {}).get("media")
        if getattr(media, "_importmap", None) is not None:
            response.context_data["media"] = Media.from_media(media, nonce=request.csp_nonce)
        return response

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if is_admin(request):
            parts.update = {**ADMIN_DIRECTIVES, **(parts.update or {})}
        return parts
