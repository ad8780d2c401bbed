from django.conf import settings


def site(request):
    # Section, tag and source names are written in the site's language, whatever the interface language is.
    return {"SITE_NAME": settings.SITE_NAME, "SITE_LANGUAGE": settings.LANGUAGE_CODE}
