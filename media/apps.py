from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "media"
    label = "media"
    verbose_name = "图片与存储"
    default_auto_field = "django.db.models.BigAutoField"
