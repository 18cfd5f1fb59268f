from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "渠道内容中心"

    def ready(self):
        from content import roles
        from content.models import EditorProfile
        from content.permissions import register_org_scoped

        # Who belongs to which organisation is itself isolated: a branch manages its own people.
        register_org_scoped(EditorProfile)
        roles.grant(roles.PUBLISHERS, EditorProfile, {"view"})
