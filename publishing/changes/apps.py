from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "publishing.changes"
    label = "changes"
    verbose_name = "变更日志"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from publishing.changes import signal_handlers

        signal_handlers.connect()
