from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MediaConfig(AppConfig):
    name = "media"
    label = "media"
    verbose_name = "图片与存储"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from media.models import LibraryImage
        from media.permissions import OrganisationImagePermissionPolicy, grant_role_collection_permissions

        # exact_class wins over wagtail.images' own registration, whatever the app order.
        from content.permissions import register_read_scope

        policy = OrganisationImagePermissionPolicy(
            LibraryImage, auth_model="wagtailimages.Image", owner_field_name="uploaded_by_user"
        )
        register_permission_policy(LibraryImage, policy, exact_class=True)
        register_read_scope(LibraryImage, policy)
        post_migrate.connect(grant_role_collection_permissions, dispatch_uid="media.role_collection_permissions")

        from django.db.models.signals import post_save

        from content.models import Organisation
        from media.signal_handlers import organisation_collection

        post_save.connect(organisation_collection, sender=Organisation, dispatch_uid="media.organisation_collection")
