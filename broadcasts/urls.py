"""Admin URLs of mass sends, mounted under /admin/broadcasts/ by wagtail_hooks."""

from django.urls import path

from . import views

app_name = "broadcasts_admin"

urlpatterns = [
    path("<int:pk>/send/", views.send_page, name="send"),
    path("<int:pk>/send/preview/", views.preview, name="preview"),
    path("<int:pk>/send/go/", views.send, name="go"),
    path("<int:pk>/send/delete/", views.delete_sent, name="delete"),
]
