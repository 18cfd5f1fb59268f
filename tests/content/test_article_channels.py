"""An article's target channels are explicit: the admin form explains them and refuses none."""

import pytest
from content.models import Article

pytestmark = pytest.mark.django_db


def _form(editor, org, **data):
    # The admin's own form: the edit handler of the article snippet viewset.
    form_class = Article.snippet_viewset.get_edit_handler().get_form_class()
    return form_class(data={"code": "ART-CH", "title": "五一流量包", **data}, instance=Article(organisation=org),
                      for_user=editor)


def test_the_form_refuses_an_article_without_target_channels_naming_the_field(matrix, branch_editor):
    form = _form(branch_editor, matrix["branch1"])
    assert not form.is_valid()
    assert form.errors["channels"] == ["目标渠道:请至少选择一个渠道"]


def test_the_form_explains_the_target_channels_in_chinese(matrix, branch_editor):
    form = _form(branch_editor, matrix["branch1"], channels=["wechat_official_account"])
    help_text = str(form.fields["channels"].help_text)
    assert "公众号" in help_text and "上级单位" in help_text
    assert "channels" not in form.errors
