from django.urls import path

from articles import views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("stories/", views.StoryFilterView.as_view(), name="stories"),
    path("tags/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("sections/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("sources/<slug:slug>/", views.SourceView.as_view(), name="source"),
    path("<int:year>/", views.StoryYearArchiveView.as_view(), name="archive_year"),
    path("<int:year>/<str:month>/", views.StoryMonthArchiveView.as_view(), name="archive_month"),
    path("<int:year>/<str:month>/<str:day>/", views.StoryDayArchiveView.as_view(), name="archive_day"),
    path("<int:year>/<str:month>/<str:day>/<slug:slug>/", views.StoryDetailView.as_view(), name="story"),
]
