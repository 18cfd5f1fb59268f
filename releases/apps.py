from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "releases"
    label = "releases"
    verbose_name = "上线计划"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from content import holds, roles, workflows
        from content import tasks as content_tasks
        from content.permissions import register_org_scoped
        from publishing import runs
        from releases import fanout, membership, ontime
        from releases.models import Release

        register_org_scoped(Release)
        roles.grant(roles.EDITORS, Release, {"view", "add", "change", "delete", "lock"})
        roles.grant(
            roles.PUBLISHERS,
            Release,
            {"view", "add", "change", "delete", "lock", "publish", "unlock"},
        )
        holds.register(membership.holding_release)
        runs.register_links(fanout.RUN_SOURCE, fanout.run_links)
        workflows.register_workflow_model(Release)
        if ontime.arm not in content_tasks.ARMERS:
            content_tasks.ARMERS.append(ontime.arm)
