from django.apps import AppConfig


class MenusConfig(AppConfig):
    name = "menus"
    verbose_name = "菜单"
    default_auto_field = "django.db.models.BigAutoField"
