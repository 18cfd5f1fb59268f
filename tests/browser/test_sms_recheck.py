"""A branch publisher lengthens their SMS hall's signature in the admin: the change
is saved and they land on the templates it breaks, each a link to its form."""

import pytest

from content.models import ChannelAccount
from tests.support.browser import admin_login
from tests.support.factories import SmsAccountFactory, SmsTemplateFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_publisher_changes_the_signature_and_is_shown_the_templates_it_breaks(
    admin_page, matrix, branch_publisher
):
    # given SX-01's hall (2 parts at most) and two templates it sends, one at the edge of 2 parts
    hall = SmsAccountFactory(
        code="sms-sx-01",
        organisation=matrix["branch1"],
        signature="【中国移动】",
        max_segments=2,
    )
    SmsTemplateFactory(
        code="EDGE",
        organisation=matrix["branch1"],
        text="话" * 126,
        parameters=[],
        published=True,
    )
    SmsTemplateFactory(
        code="SHORT",
        organisation=matrix["branch1"],
        text="感谢您的支持。",
        parameters=[],
        published=True,
    )
    page = admin_page
    admin_login(page, branch_publisher.username)
    # when the signature is lengthened in the account form and saved
    page.goto(f"{page.base_url}/admin/snippets/content/channelaccount/edit/{hall.pk}/")
    page.fill("input[name=signature]", "【中国移动山西公司】")
    page.click("button.action-save")
    # then the change is kept and the broken template is listed with why
    page.wait_for_url(
        f"**/admin/snippets/content/channelaccount/sms-recheck/{hall.pk}/"
    )
    assert ChannelAccount.objects.get(pk=hall.pk).signature == "【中国移动山西公司】"
    assert "1 个短信模板不再符合新规则" in page.content()
    row = page.locator("tr[data-template='EDGE']")
    assert "需3条短信" in row.locator("td[data-problems]").inner_text()
    assert page.locator("tr[data-template='SHORT']").count() == 0
    # and the template's form is one click away
    row.locator("a").click()
    page.wait_for_url("**/admin/snippets/content/smstemplate/edit/**")
    assert "话" * 126 in page.locator("textarea[name=text]").input_value()
