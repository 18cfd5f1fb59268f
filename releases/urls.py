"""Admin URLs of releases, mounted under /admin/releases/ by wagtail_hooks."""

from django.urls import path

from releases import add_to, views

app_name = "releases_admin"

urlpatterns = [
    path("<int:pk>/", views.release_page, name="release"),
    path("<int:pk>/progress.json", views.progress_json, name="progress"),
    path("add-to/", add_to.add_to, name="add_to"),
]
