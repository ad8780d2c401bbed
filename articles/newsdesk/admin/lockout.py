"""The page django-axes answers with while a user name is locked out from an address (AXES_LOCKOUT_CALLABLE)."""

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import admin
from django.template.response import TemplateResponse


def lockout_response(request, original_response=None, credentials=None):
    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": max(1, round(cool_off.total_seconds() / 60)) if cool_off else None,
    }
    # 429 Too Many Requests, whatever the password was: a lockout tells nothing about the guess.
    return TemplateResponse(request, "admin/login_locked.html", context, status=429).render()
