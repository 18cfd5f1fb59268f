"""Bodies arrive sanitized, with their inline images resolved to library images."""

import re

from importing.context import FieldErrors
from importing.richtext import image_codes, to_wagtail_html
from content.models import Article, Business, Package
from harness.export import read

HOSTILE = (
    '<p onclick="steal()">点我</p><script>alert(1)</script>'
    '<p><a href="javascript:alert(2)" onmouseover="x()">链接</a><img data-image="IMG0001" alt="图" onerror="y()"></p>'
    '<iframe src="https://evil.example/"></iframe><style>p{}</style><svg onload="z()"></svg>'
)
SCRIPT = re.compile(r"<\s*(script|iframe|style|svg)|\son\w+\s*=|javascript:", re.IGNORECASE)


def test_no_script_or_event_handler_survives_in_any_imported_body(run_import, small_export, edit_export):
    # given: hostile markup in an article body and in package and business descriptions
    def poison(data):
        for article in data["articles"][:5]:
            article["body_html"] += HOSTILE
        data["packages"][0]["description_html"] += HOSTILE
        data["businesses"][0]["description_html"] += HOSTILE

    export = edit_export(small_export, poison)
    # when
    report = run_import(export)
    # then
    scope = set()
    assert not [e for e in report.refused if e.list in ("articles", "packages", "businesses")
                and (e.list, e.record) not in scope]
    bodies = list(Article.objects.values_list("body", flat=True))
    bodies += list(Package.objects.values_list("description", flat=True))
    bodies += list(Business.objects.values_list("description", flat=True))
    data = read(export)
    assert len(bodies) == len(data["articles"]) - len(scope) + len(data["packages"]) + len(data["businesses"])
    for body in bodies:
        assert not SCRIPT.search(body), body
    poisoned = Article.objects.get(code=export_first_article(export))
    assert "点我" in poisoned.body and "<embed" in poisoned.body
    assert not SCRIPT.search(str(poisoned.live_revision.content["body"]))


def export_first_article(export):
    return read(export)["articles"][0]["code"]


def test_inline_images_become_wagtail_embeds_and_a_lone_image_a_block():
    # given
    html = '<p>前文<img data-image="IMG0001" alt="甲"></p><p> <img data-image="IMG0002" alt="乙"> </p>'
    errors = FieldErrors()
    # when
    out = to_wagtail_html(html, {"IMG0001": 11, "IMG0002": 12}, "body_html", errors)
    # then
    assert not errors
    assert out == (
        '<p>前文<embed embedtype="image" id="11" format="fullwidth" alt="甲"/></p>'
        '<embed embedtype="image" id="12" format="fullwidth" alt="乙"/>'
    )
    assert image_codes(html) == ["IMG0001", "IMG0002"]


def test_an_inline_image_without_a_library_reference_is_refused_not_dropped():
    # given
    errors = FieldErrors()
    # when
    to_wagtail_html('<p><img src="https://cdn.example/a.png" alt="外链"></p>', {}, "body_html", errors)
    # then
    assert list(errors) == ["body_html"]


def test_alt_text_keeps_its_escaping():
    errors = FieldErrors()
    out = to_wagtail_html('<img data-image="IMG1" alt="a &quot;b&quot; &lt;c&gt;">', {"IMG1": 3}, "body_html", errors)
    assert 'alt="a &quot;b&quot; &lt;c&gt;"' in out
