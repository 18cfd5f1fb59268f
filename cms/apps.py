from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "渠道内容中心"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cms import signal_handlers
        from cms.models import ApiClient
        from content import roles
        from content.models import EditorProfile
        from content.permissions import register_org_scoped

        # Who belongs to which organisation is itself isolated: a branch manages its own people.
        register_org_scoped(EditorProfile)
        roles.grant(roles.PUBLISHERS, EditorProfile, {"view"})
        # API clients of the GraphQL API, and invalidation of its caches.
        register_org_scoped(ApiClient)
        signal_handlers.connect()
        # A committed import owes the callback its reply tables (importing.outbox):
        # importing and callback are siblings, so the app above both wires them.
        from callback.table import rebuild_all
        from importing import outbox

        outbox.register(outbox.REPLY_TABLES, rebuild_all)
