"""Images of the material library: Wagtail images owned by an organisation, kept
in that organisation's collection, with a stable code for imports."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.images.models import AbstractImage, AbstractRendition, Image as WagtailImage
from wagtail.search import index


class LibraryImage(AbstractImage):
    code = models.CharField(_("代码"), max_length=64, unique=True, null=True, blank=True)
    organisation = models.ForeignKey(
        "content.Organisation", verbose_name=_("所属组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    content_hash = models.CharField(_("内容摘要"), max_length=64, blank=True, db_index=True)

    admin_form_fields = WagtailImage.admin_form_fields + ("code",)

    search_fields = AbstractImage.search_fields + [index.SearchField("code"), index.FilterField("organisation")]

    class Meta(AbstractImage.Meta):
        verbose_name = _("图片")
        verbose_name_plural = _("图片")

    def save(self, *args, **kwargs):
        from media.services import place_image

        place_image(self)
        super().save(*args, **kwargs)


class LibraryRendition(AbstractRendition):
    image = models.ForeignKey(LibraryImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)
