from django.urls import path

from articles.newsdesk import previews
from articles.site import changes, feeds, views
from articles.site.caching import public_page

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("stories/", views.StoryFilterView.as_view(), name="stories"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("preview/<str:token>/", previews.shared_preview, name="shared_preview"),
    path("language/<str:code>/", views.switch_language, name="switch_language"),
    path("tags/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("sections/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("sources/<slug:slug>/", views.SourceView.as_view(), name="source"),
    path("authors/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("feeds/rss/", public_page(feeds.StoryFeed()), name="feed_rss"),
    path("feeds/atom/", public_page(feeds.StoryFeed(atom=True)), name="feed_atom"),
    path("feeds/tags/<slug:slug>/rss/", public_page(feeds.TagFeed()), name="tag_feed_rss"),
    path("feeds/tags/<slug:slug>/atom/", public_page(feeds.TagFeed(atom=True)), name="tag_feed_atom"),
    path("feeds/sections/<slug:slug>/rss/", public_page(feeds.SectionFeed()), name="section_feed_rss"),
    path("feeds/sections/<slug:slug>/atom/", public_page(feeds.SectionFeed(atom=True)), name="section_feed_atom"),
    path("feeds/sources/<slug:slug>/rss/", public_page(feeds.SourceFeed()), name="source_feed_rss"),
    path("feeds/sources/<slug:slug>/atom/", public_page(feeds.SourceFeed(atom=True)), name="source_feed_atom"),
    path("<int:year>/", views.StoryYearArchiveView.as_view(), name="archive_year"),
    path("<int:year>/<str:month>/", views.StoryMonthArchiveView.as_view(), name="archive_month"),
    path("<int:year>/<str:month>/<str:day>/", views.StoryDayArchiveView.as_view(), name="archive_day"),
    path("<int:year>/<str:month>/<str:day>/<slug:slug>/", views.StoryDetailView.as_view(), name="story"),
    path(
        "<int:year>/<str:month>/<str:day>/<slug:slug>/changes/<int:revision_id>/",
        changes.StoryChangesView.as_view(),
        name="story_changes",
    ),
]
