"""Chooser search as a branch editor: every snippet chooser and the image chooser
search within what the organisation policy lets the editor read. The search backend
refuses a filter on a field missing from ``search_fields`` (a 500 on six choosers
before the policy reached it as one filter on the primary key)."""

import json

import pytest
from django.urls import reverse
from wagtail.snippets.models import get_snippet_models

from tests.support.factories import (
    ArticleFactory,
    AutoReplyFactory,
    BusinessFactory,
    ChannelAccountFactory,
    PackageFactory,
    SmsTemplateFactory,
    TemplateMessageFactory,
)

pytestmark = pytest.mark.django_db


def chooser_results_urls():
    urls = []
    for model in get_snippet_models():
        chooser = getattr(model.snippet_viewset, "chooser_viewset", None)
        if chooser is not None:
            urls.append(pytest.param(reverse(chooser.get_url_name("choose_results")), id=model._meta.label))
    return urls + [pytest.param(reverse("wagtailimages_chooser:choose_results"), id="images")]


@pytest.mark.parametrize("url", chooser_results_urls())
def test_branch_editor_searches_every_chooser(client, matrix, branch_editor, url):
    client.force_login(branch_editor)
    response = client.get(url, {"q": "probe"})
    assert response.status_code == 200


def _records(matrix):
    """(own, sibling) of each searchable kind, both named with the word ``probe``."""
    own, sibling = matrix["branch1"], matrix["branch2"]
    return {
        "article": (ArticleFactory(title="probe article own", organisation=own),
                    ArticleFactory(title="probe article sibling", organisation=sibling)),
        "package": (PackageFactory(name="probe package own", organisation=own),
                    PackageFactory(name="probe package sibling", organisation=sibling)),
        "business": (BusinessFactory(name="probe business own", organisation=own),
                     BusinessFactory(name="probe business sibling", organisation=sibling)),
        "smstemplate": (SmsTemplateFactory(code="PROBEOWN", organisation=own),
                        SmsTemplateFactory(code="PROBESIBLING", organisation=sibling)),
        "autoreply": (AutoReplyFactory(keyword="probe", reply_text="probe reply own", account=matrix["account_branch1"]),
                      AutoReplyFactory(keyword="probe", reply_text="probe reply sibling", account=matrix["account_branch2"])),
        "templatemessage": (TemplateMessageFactory(title="probe message own", organisation=own),
                            TemplateMessageFactory(title="probe message sibling", organisation=sibling)),
        "channelaccount": (ChannelAccountFactory(code="wx-probe-own", name="probe account own", organisation=own),
                           ChannelAccountFactory(code="wx-probe-sib", name="probe account sibling",
                                                 organisation=sibling)),
    }


@pytest.mark.parametrize("model_name", ["article", "package", "business", "smstemplate", "autoreply",
                                        "templatemessage", "channelaccount"])
def test_chooser_search_finds_own_records_and_no_sibling_record(client, matrix, branch_editor, model_name):
    # given a record of the editor's branch and one of the sibling branch, both matching
    own, sibling = _records(matrix)[model_name]
    client.force_login(branch_editor)
    # when the editor searches the chooser
    response = client.get(reverse(f"wagtailsnippetchoosers_content_{model_name}:choose_results"),
                          {"q": "probe" if model_name != "smstemplate" else "PROBE"})
    # then the own record is offered and the sibling's is not
    assert response.status_code == 200
    html = response.content.decode()
    assert f"/{own.pk}/" in html and f"/{sibling.pk}/" not in html


def test_organisation_chooser_search_offers_no_sibling_branch(client, matrix, branch_editor):
    client.force_login(branch_editor)
    url = reverse("wagtailsnippetchoosers_content_organisation:choose_results")
    own = client.get(url, {"q": "西安"})
    sibling = client.get(url, {"q": "宝鸡"})
    assert own.status_code == sibling.status_code == 200
    assert matrix["branch1"].name in own.content.decode()
    assert matrix["branch2"].name not in sibling.content.decode()


@pytest.mark.parametrize("model_name, record", [
    ("autoreply", lambda m: AutoReplyFactory(keyword="prepaidbalance", reply_text="x", account=m["account_branch1"])),
    ("templatemessage", lambda m: TemplateMessageFactory(title="prepaidbalance notice", organisation=m["branch1"])),
])
def test_chooser_finds_a_reply_or_template_message_by_what_the_editor_has_typed_so_far(
        client, matrix, branch_editor, model_name, record):
    # given an auto-reply / template message whose keyword / title starts with "prepaid"
    own = record(matrix)
    client.force_login(branch_editor)
    # when the editor has typed only the start of it in the chooser
    response = client.get(reverse(f"wagtailsnippetchoosers_content_{model_name}:choose_results"), {"q": "prepa"})
    # then it is offered (autocomplete), as in the other choosers
    assert response.status_code == 200
    assert f"/{own.pk}/" in response.content.decode()
