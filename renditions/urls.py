"""Public URLs of channel renditions: the short links SMS texts carry (/s/<token>)."""

from django.urls import path

from .views import short_link_redirect

app_name = "renditions_public"
urlpatterns = [
    path("<str:token>", short_link_redirect, name="short_link"),
]
