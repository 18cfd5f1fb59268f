"""Changing an SMS account's signature, opt-out text or segment limit re-checks every
template the account serves: the change is saved and the templates that now break
are listed (admin page after saving, ``sms_recheck`` command, the service)."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from content.models import ChannelAccount
from content.services.sms_recheck import broken_templates
from tests.support.content import account_form
from tests.support.factories import SmsAccountFactory, SmsTemplateFactory
from tests.support.users import make_editor

pytestmark = pytest.mark.django_db

EDGE = "话" * 126  # with the 6-character signature: 132 UCS-2 units, 2 parts of 67


@pytest.fixture
def hall(matrix):
    """SX-01's SMS hall (it serves SX-01 and its outlet), at most 2 parts a message."""
    return SmsAccountFactory(
        code="sms-sx-01",
        organisation=matrix["branch1"],
        signature="【中国移动】",
        opt_out_text="拒收请回复R",
        max_segments=2,
    )


@pytest.fixture
def served(matrix, hall):
    def make(code, org, text, category="reply"):
        return SmsTemplateFactory(
            code=code,
            organisation=matrix[org],
            category=category,
            text=text,
            parameters=[],
            published=True,
        )

    return {
        "fits": make("FITS", "branch1", "感谢您使用短信营业厅。"),
        "edge": make("EDGE", "branch1", EDGE),
        "outlet": make("OUTLET", "outlet", EDGE),
        "marketing": make(
            "MKT", "branch1", "宽带提速活动详询10086。拒收请回复R", "marketing"
        ),
        # SX-02 has no hall of its own and the province none either: not this account's
        "other": make("OTHER", "branch2", "宝" * 100),
    }


def broken_codes(account):
    return [b.template.code for b in broken_templates(account)]


def test_nothing_breaks_under_the_rules_the_templates_were_written_for(hall, served):
    assert broken_codes(hall) == []


def test_a_longer_signature_lists_the_templates_it_pushes_over_the_limit(hall, served):
    # when the signature grows by four characters (not saved: a proposal can be tried)
    hall.signature = "【中国移动山西公司】"
    # then the two texts at the edge now take three parts; nothing of another account is listed
    broken = broken_templates(hall)
    assert [b.template.code for b in broken] == ["EDGE", "OUTLET"]
    assert (
        "需3条短信" in broken[0].problems[0]
        and "【中国移动山西公司】" in broken[0].problems[0]
    )


def test_a_lower_segment_limit_lists_what_no_longer_fits_and_a_higher_one_nothing(
    hall, served
):
    hall.max_segments = 1
    assert broken_codes(hall) == ["EDGE", "OUTLET"]
    hall.max_segments = 5
    assert broken_codes(hall) == []


def test_a_new_opt_out_text_lists_the_marketing_templates_without_it(hall, served):
    hall.opt_out_text = "回复TD退订"
    broken = broken_templates(hall)
    assert [b.template.code for b in broken] == ["MKT"]
    assert "回复TD退订" in broken[0].problems[0]


def test_the_recheck_costs_the_same_queries_whatever_the_number_of_templates(
    matrix, hall, served, django_assert_num_queries
):
    hall.max_segments = 1
    with django_assert_num_queries(3):
        assert len(broken_templates(hall)) == 2
    for n in range(20):
        SmsTemplateFactory(
            code=f"MORE{n:02d}",
            organisation=matrix["branch1"],
            text=EDGE,
            parameters=[],
        )
    with django_assert_num_queries(3):
        assert len(broken_templates(hall)) == 22


def _form(account, **changes):
    return account_form(account, enabled="on", **changes)


def test_saving_a_new_signature_keeps_it_and_opens_the_list_of_broken_templates(
    client, hall, served, superuser
):
    # given
    client.force_login(superuser)
    url = reverse("wagtailsnippets_content_channelaccount:edit", args=[hall.pk])
    # when the signature is changed in the account form
    response = client.post(url, _form(hall, signature="【中国移动山西公司】"))
    # then the change is saved, and the editor lands on the templates it breaks
    assert ChannelAccount.objects.get(pk=hall.pk).signature == "【中国移动山西公司】"
    assert response.status_code == 302
    assert response.url == reverse(
        "wagtailsnippets_content_channelaccount:recheck_sms", args=[hall.pk]
    )
    page = client.get(response.url).content.decode()
    assert "2 个短信模板不再符合新规则" in page
    for template in (served["edge"], served["outlet"]):
        edit = reverse("wagtailsnippets_content_smstemplate:edit", args=[template.pk])
        assert f'<a href="{edit}">{template.code}</a>' in page
    assert 'data-template="FITS"' not in page and 'data-template="OTHER"' not in page


def test_saving_without_changing_the_rules_goes_back_to_the_list(
    client, hall, served, superuser
):
    client.force_login(superuser)
    url = reverse("wagtailsnippets_content_channelaccount:edit", args=[hall.pk])
    response = client.post(url, _form(hall, name="西安短信营业厅"))
    assert response.status_code == 302
    assert response.url == reverse("wagtailsnippets_content_channelaccount:list")


def test_a_sibling_branch_cannot_open_the_list_and_the_own_branch_can(
    client, matrix, hall, served
):
    url = reverse("wagtailsnippets_content_channelaccount:recheck_sms", args=[hall.pk])
    client.force_login(make_editor("editor-sx02", matrix["branch2"]))
    assert client.get(url).status_code == 404
    client.force_login(make_editor("editor-sx01", matrix["branch1"]))
    hall.max_segments = 1
    hall.save()
    page = client.get(url).content.decode()
    assert 'data-template="EDGE"' in page and 'data-template="OUTLET"' in page


def test_the_command_lists_what_a_proposed_limit_would_break_without_saving_it(
    hall, served
):
    out = io.StringIO()
    call_command("sms_recheck", "sms-sx-01", "--max-segments", "1", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split("\t")[:2] for line in lines[:-1]] == [
        ["EDGE", "SX-01"],
        ["OUTLET", "SX-01-01"],
    ]
    assert lines[-1] == "2 template(s) of sms-sx-01 break its rules"
    assert ChannelAccount.objects.get(pk=hall.pk).max_segments == 2
