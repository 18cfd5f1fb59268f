from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "渠道内容中心"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cms import signal_handlers
        from cms.models import ApiClient
        from content.permissions import register_org_scoped

        register_org_scoped(ApiClient)
        signal_handlers.connect()
