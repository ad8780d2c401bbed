from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from django.views.static import serve

from articles.site.caching import public_page
from articles.site.sitemaps import NEWS_SITEMAPS, SITEMAPS

# Public like the pages, so cached like them (articles/site/caching.py).
sitemap_index, sitemap = public_page(sitemap_views.index), public_page(sitemap_views.sitemap, params=("p",))
robots = public_page(TemplateView.as_view(template_name="robots.txt", content_type="text/plain"))

urlpatterns = [
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap_index, {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_part"}, name="sitemap"),
    path("sitemap-<section>.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap_part"),
    path(
        "news-sitemap.xml",
        sitemap,
        {"sitemaps": NEWS_SITEMAPS, "template_name": "sitemaps/news_sitemap.xml"},
        name="news_sitemap",
    ),
    path("robots.txt", robots, name="robots"),
    path("", include("articles.site.urls")),
]

if settings.SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns.insert(0, re_path(rf"^{media_prefix}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}))

handler404 = "articles.site.views.page_not_found"
