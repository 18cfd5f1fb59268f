from django.urls import path

from .views import wechat_callback

urlpatterns = [path("<str:code>/", wechat_callback, name="wechat_callback")]
