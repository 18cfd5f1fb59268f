from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = "发布"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        self._connect_push_publishing()
        self._register_push_publishing_permissions()

    def _connect_push_publishing(self):
        # Push publishing: editorial publishes, menu versions, WeChat's publish event
        # and the change log schedule jobs (after commit, ids only).
        from django.db.models.signals import post_delete, post_save, pre_delete
        from wagtail.signals import published, unpublished

        from content import kinds
        from menus.signals import menu_version_published
        from publishing import signal_handlers

        # The change log's receivers first: a webhook delivery must find the publish
        # already in the log (receivers run in connection order; dispatch_uid makes
        # the change log's own connect() a no-op).
        from publishing.changes import signal_handlers as change_log_handlers
        from publishing.changes.signals import changes_recorded
        from callback.signals import publish_job_finished

        change_log_handlers.connect()
        for model in kinds.editorial_models():
            published.connect(
                signal_handlers.item_published, sender=model, dispatch_uid=f"push-publish-{model.__name__}"
            )
            unpublished.connect(
                signal_handlers.item_unpublished, sender=model, dispatch_uid=f"push-unpublish-{model.__name__}"
            )
        # A WeChat menu that left live leaves the accounts it served (served_menus).
        from menus.models import AccountVariable, Menu

        unpublished.connect(signal_handlers.menu_unpublished, sender=Menu, dispatch_uid="push-unpublish-menu")
        # A changed {variable} changes the menu an account is served (served_menus).
        post_save.connect(signal_handlers.menu_variable_changed, sender=AccountVariable, dispatch_uid="push-menu-var")
        post_delete.connect(signal_handlers.menu_variable_changed, sender=AccountVariable,
                            dispatch_uid="push-menu-var-deleted")
        # Articles and news groups live on WeChat: a deleted one is taken down (a deleted
        # article also from the groups it is in), a newer one replaces the old.
        from content.models import Article, NewsGroup
        from publishing.signals import publication_finished

        pre_delete.connect(signal_handlers.item_deleted, sender=Article, dispatch_uid="push-take-down-deleted")
        pre_delete.connect(signal_handlers.item_deleted, sender=NewsGroup, dispatch_uid="push-take-down-deleted-group")
        pre_delete.connect(signal_handlers.article_deleted_from_groups, sender=Article,
                           dispatch_uid="push-take-down-group-positions")
        publication_finished.connect(signal_handlers.publication_finished, dispatch_uid="push-replace-superseded")
        menu_version_published.connect(signal_handlers.menu_version_published, dispatch_uid="push-menu-version")
        publish_job_finished.connect(signal_handlers.publish_job_finished, dispatch_uid="push-publish-job-finished")
        changes_recorded.connect(signal_handlers.changes_recorded, dispatch_uid="push-changes-recorded")
        from importing import outbox

        outbox.register(outbox.MENU_PUSH, signal_handlers.import_menu_push)

    def _register_push_publishing_permissions(self):
        from content import roles
        from content.permissions import register_org_scoped
        from publishing.models import Delivery, Publication, WebhookEndpoint

        for model in (Publication, Delivery, WebhookEndpoint):
            register_org_scoped(model)
        roles.grant(roles.EDITORS, Publication, {"view"})
        roles.grant(roles.EDITORS, Delivery, {"view"})
        roles.grant(roles.PUBLISHERS, Publication, {"view", "change"})
        roles.grant(roles.PUBLISHERS, Delivery, {"view", "change"})
        roles.grant(roles.PUBLISHERS, WebhookEndpoint, {"view", "add", "change", "delete"})
