from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = "内容"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from content import roles
        from content.models import Brand, ChannelAccount, Organisation
        from content.permissions import OrganisationTreePolicy, register_org_scoped

        register_org_scoped(Organisation, OrganisationTreePolicy)
        register_org_scoped(ChannelAccount)
        roles.grant(roles.EDITORS, Organisation, {"view"})
        roles.grant(roles.EDITORS, Brand, {"view"})
        roles.grant(roles.EDITORS, ChannelAccount, {"view"})
        roles.grant(roles.PUBLISHERS, Organisation, {"view"})
        roles.grant(roles.PUBLISHERS, Brand, {"view"})
        roles.grant(roles.PUBLISHERS, ChannelAccount, {"view", "change"})
        from content import kinds
        from content.models import (
            Article, AutoReply, Business, NewsGroup, Package, PromotionSlot, SmsCommand, SmsTemplate, TemplateMessage,
        )

        Kind = kinds.Kind
        for code, model in (
            (Kind.ARTICLE, Article), (Kind.PACKAGE, Package), (Kind.BUSINESS, Business),
            (Kind.SMS_TEMPLATE, SmsTemplate), (Kind.SMS_COMMAND, SmsCommand), (Kind.AUTO_REPLY, AutoReply),
            (Kind.TEMPLATE_MESSAGE, TemplateMessage), (Kind.NEWS_GROUP, NewsGroup),
            (Kind.SLOT, PromotionSlot),
        ):
            kinds.register_model(code, model)
        for model in kinds.editorial_models():
            register_org_scoped(model)
            roles.grant(roles.EDITORS, model, {"view", "add", "change", "delete", "lock"})
            roles.grant(roles.PUBLISHERS, model, {"view", "add", "change", "delete", "lock", "publish", "unlock"})
        post_migrate.connect(roles.seed_role_groups, dispatch_uid="content.seed_role_groups")

        from content.dependencies import editorial as editorial_dependencies

        editorial_dependencies.register()  # what live replies, groups, articles and packages need

        # Content: editorial workflow and SMS command bindings.
        from content import signal_handlers

        signal_handlers.register()
