from django.apps import AppConfig


class BroadcastsConfig(AppConfig):
    name = "broadcasts"
    label = "broadcasts"
    verbose_name = "群发"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from broadcasts import signal_handlers
        from broadcasts.models import Broadcast
        from callback.signals import mass_send_finished
        from content import roles
        from content.permissions import register_org_scoped
        from content.workflows import register_workflow_model

        register_org_scoped(Broadcast)
        # The editorial approval (content.workflows) approves a broadcast too.
        register_workflow_model(Broadcast)
        roles.grant(
            roles.EDITORS, Broadcast, {"view", "add", "change", "delete", "lock"}
        )
        roles.grant(
            roles.PUBLISHERS,
            Broadcast,
            {"view", "add", "change", "delete", "lock", "publish", "unlock"},
        )
        mass_send_finished.connect(
            signal_handlers.mass_send_finished,
            dispatch_uid="broadcasts.mass_send_finished",
        )
