"""Admin URLs of channel renditions, mounted under /admin/renditions/ by renditions/wagtail_hooks.py."""

from django.urls import path

from .views import ChannelPreviewView

app_name = "renditions"
urlpatterns = [
    path("<str:kind>/<int:pk>/", ChannelPreviewView.as_view(), name="preview"),
]
