from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    label = "notices"
    verbose_name = "模板消息发送"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.signals import published

        from callback.signals import template_send_finished
        from content import roles
        from content.models import TemplateMessage
        from content.permissions import register_org_scoped
        from notices import signal_handlers
        from notices.models import Send

        published.connect(
            signal_handlers.definition_published, sender=TemplateMessage, dispatch_uid="notices-bind-definition"
        )
        template_send_finished.connect(signal_handlers.template_send_finished, dispatch_uid="notices-send-finished")
        register_org_scoped(Send)
        roles.grant(roles.EDITORS, Send, {"view"})
        roles.grant(roles.PUBLISHERS, Send, {"view"})
