"""A release keeps references whole across kinds: an SMS menu answering with a
template the same release brings is valid and goes live after it; a rollback that
would take off live a template a live menu outside the release answers with is
refused naming both (content.dependencies)."""

import pytest
from django.core.exceptions import ValidationError

from content.models import SmsTemplate
from menus.services import live_version, publish
from releases import golive, validation
from releases.models import Release
from tests.support.menus import make_menu, node

from .conftest import committed, go_live_now, make_release

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_a_menu_answering_with_a_template_of_its_release_is_valid_and_goes_live_after_it(
    matrix, tariff, sms_account
):
    # given an SMS menu draft whose new node answers with the release's new template
    menu = make_menu(sms_account, [node("1", "开通5G套餐", "command", command="KT58", reply_template="SMS-5G-58-KT")],
                     code="menu-sms-kt")
    # (added to the release before the template: the go-live order is not the adding order)
    release = make_release(matrix["branch1"], items=["menu:menu-sms-kt", "sms_template:SMS-5G-58-KT"])
    # then the release shows no violation, though the template is not live yet
    assert validation.violations(release) == []
    # and it goes live: the template first, then the menu answering with it
    release = go_live_now(release)
    assert release.state == Release.State.LIVE
    assert SmsTemplate.objects.get(code="SMS-5G-58-KT").live
    assert live_version(menu).tree[0]["reply_template"] == "SMS-5G-58-KT"


def test_the_same_menu_without_the_template_in_its_release_is_a_violation(matrix, tariff, sms_account):
    make_menu(sms_account, [node("1", "开通5G套餐", "command", command="KT58", reply_template="SMS-5G-58-KT")],
              code="menu-sms-kt")
    release = make_release(matrix["branch1"], items=["menu:menu-sms-kt"])
    found = [str(v) for v in validation.violations(release)]
    assert any("menu:menu-sms-kt" in v and "SMS-5G-58-KT" in v for v in found), found


def test_a_rollback_is_refused_while_a_live_menu_outside_the_release_needs_what_it_created(
    matrix, release, tariff, sms_account, superuser
):
    release = go_live_now(release)
    # given a menu published on its own afterwards, answering with the release's new template
    menu = make_menu(sms_account, [node("1", "开通5G套餐", "command", command="KT58", reply_template="SMS-5G-58-KT")],
                     code="menu-sms-later")
    with committed():
        publish(menu, superuser)
    # when the release is rolled back
    with pytest.raises(ValidationError) as refused:
        golive.rollback(release)
    # then it is refused naming the template and the menu that needs it, and nothing moved
    message = " ".join(refused.value.messages)
    assert "SMS-5G-58-KT" in message and "menu-sms-later" in message, message
    assert Release.objects.get(pk=release.pk).state == Release.State.LIVE
    assert SmsTemplate.objects.get(code="SMS-5G-58-KT").live
