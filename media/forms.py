"""The image form of the library: alt text is required, and an editor who may
upload into one collection only uploads into their organisation's."""

from django.utils.translation import gettext_lazy as _
from wagtail.images.forms import BaseImageForm


class LibraryImageForm(BaseImageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "description" in self.fields:
            self.fields["description"].required = True
            self.fields["description"].label = _("替代文字")
            self.fields["description"].help_text = _("图片无法显示或读屏时的文字说明")
        if "collection" not in self.fields and not self.instance.pk and len(self.collections) == 1:
            self.instance.collection = self.collections[0]

    def clean_code(self):
        # Blank codes are stored as NULL so that many uncoded images can coexist.
        return self.cleaned_data.get("code") or None
