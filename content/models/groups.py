"""News groups (图文组合): up to eight library articles sent as one WeChat message."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable
from wagtail.search import index

from .editorial import OwnedEditorialModel
from .organisations import code_validator

# WeChat's draft/add takes at most eight articles in one message.
MAX_GROUP_ARTICLES = 8


class NewsGroup(OwnedEditorialModel):
    code = models.CharField(_("代码"), max_length=32, unique=True, validators=[code_validator])
    title = models.CharField(_("名称"), max_length=64)

    search_fields = [
        index.SearchField("title"),
        index.AutocompleteField("title"),
        index.SearchField("code"),
        index.FilterField("live"),
        index.FilterField("organisation"),
        index.FilterField("id"),
    ]

    class Meta:
        verbose_name = _("图文组合")
        verbose_name_plural = _("图文组合")
        ordering = ["-id"]

    def __str__(self):
        return self.title

    def ordered_articles(self):
        """The group's articles in message order (also on a revision's in-memory copy)."""
        entries = sorted(self.entries.all(), key=lambda e: (e.sort_order is None, e.sort_order or 0))
        return [entry.article for entry in entries if entry.article_id]


class NewsGroupEntry(Orderable):
    """One position of a group; deleting its article takes down that position only."""

    group = ParentalKey(NewsGroup, related_name="entries", on_delete=models.CASCADE)
    article = models.ForeignKey("content.Article", verbose_name=_("图文"), on_delete=models.CASCADE,
                                related_name="group_entries")

    panels = [FieldPanel("article")]

    class Meta(Orderable.Meta):
        verbose_name = _("组合中的图文")
        verbose_name_plural = _("组合中的图文")
