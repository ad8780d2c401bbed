"""The address a request came from, as login throttling (django-axes) counts it."""

from django.conf import settings


def client_ip(request):
    """REMOTE_ADDR, or behind our TLS proxy the address that proxy saw: the last one it appended to X-Forwarded-For.

    Addresses further left were written by the client and prove nothing; trusting them would let an attacker
    pick a fresh address for every guess and never be locked out.
    """
    if settings.BEHIND_TLS_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded[-1]:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")
