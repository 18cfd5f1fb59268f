"""The material library: articles the province shares down and branches extend."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.fields import RichTextField
from wagtail.search import index

from .editorial import OwnedEditorialModel
from .organisations import code_validator

ARTICLE_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "hr", "link", "image", "blockquote"]


class Article(OwnedEditorialModel):
    code = models.CharField(_("代码"), max_length=32, unique=True, validators=[code_validator])
    title = models.CharField(_("标题"), max_length=64)
    author = models.CharField(_("作者"), max_length=32, blank=True)
    digest = models.CharField(_("摘要"), max_length=256, blank=True)
    cover_image = models.ForeignKey(
        "media.LibraryImage", verbose_name=_("封面图"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = RichTextField(_("正文"), features=ARTICLE_FEATURES, blank=True)
    channels = models.JSONField(_("目标渠道"), default=list, blank=True)
    related_packages = ParentalManyToManyField("content.Package", verbose_name=_("相关套餐"), blank=True, related_name="articles")
    shared_to = ParentalManyToManyField(
        "content.Organisation", verbose_name=_("下发至"), blank=True, related_name="shared_articles"
    )
    origin = models.ForeignKey(
        "self", verbose_name=_("来源文章"), null=True, blank=True, on_delete=models.SET_NULL, related_name="local_copies"
    )
    origin_revision_id = models.PositiveBigIntegerField(_("复制时来源版本"), null=True, blank=True, editable=False)

    shared_down_joins_many = True

    search_fields = [
        index.SearchField("title"),
        index.AutocompleteField("title"),
        index.SearchField("code"),
        index.SearchField("digest"),
        index.FilterField("live"),
        index.FilterField("organisation"),
        index.FilterField("id"),
    ]

    class Meta:
        verbose_name = _("图文")
        verbose_name_plural = _("图文")
        ordering = ["-id"]

    def __str__(self):
        return self.title

    def clean(self):
        from content.services.library import validate_article

        validate_article(self)

    @classmethod
    def shared_down_q(cls, org_ids):
        return models.Q(shared_to__in=org_ids)
