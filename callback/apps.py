from django.apps import AppConfig


class CallbackConfig(AppConfig):
    name = "callback"
    label = "wechat_callback"
    verbose_name = "微信回调"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from content import roles
        from content.permissions import register_org_scoped

        from .models import MessageLog
        from .permissions import MessageLogPolicy
        from .signal_handlers import connect

        register_org_scoped(MessageLog, MessageLogPolicy)
        roles.grant(roles.EDITORS, MessageLog, {"view"})
        roles.grant(roles.PUBLISHERS, MessageLog, {"view"})
        connect()
