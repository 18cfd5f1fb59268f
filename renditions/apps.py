from django.apps import AppConfig


class RenditionsConfig(AppConfig):
    name = "renditions"
    verbose_name = "渠道版本"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from renditions import dependencies

        dependencies.register()  # live menus linking an item's web page need the item
