from django.apps import AppConfig


class MenusConfig(AppConfig):
    name = "menus"
    verbose_name = "菜单"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from content import kinds, roles
        from content.permissions import register_org_scoped
        from menus.models import AccountVariable, Menu

        kinds.register_model(kinds.Kind.MENU, Menu)
        register_org_scoped(Menu)
        register_org_scoped(AccountVariable)
        roles.grant(roles.PUBLISHERS, AccountVariable, {"view", "add", "change", "delete"})
        roles.grant(roles.EDITORS, Menu, {"view", "add", "change", "delete", "lock"})
        roles.grant(roles.PUBLISHERS, Menu, {"view", "add", "change", "delete", "lock", "publish", "unlock"})
        from menus import dependencies

        dependencies.register()  # live menus need the templates and articles their nodes use
