"""The Content-Security-Policy of the site: the settings' strict policy, loosened for the admin only."""

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.urls import reverse


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(reverse("admin:index")) and parts.update is None:
            parts.update = settings.ADMIN_CSP_UPDATE
        return parts
