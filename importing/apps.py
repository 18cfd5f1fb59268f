from django.apps import AppConfig


class ImportingConfig(AppConfig):
    name = "importing"
    verbose_name = "历史数据导入"
    default_auto_field = "django.db.models.BigAutoField"
