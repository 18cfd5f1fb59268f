"""A record that depends on a refused one is refused too, and says so."""

from content.models import Article, ChannelAccount, Organisation, Package, SmsTemplate
from media.models import LibraryImage
from harness.export import read, record


def test_records_of_a_refused_organisation_are_refused_naming_it(run_import, small_export, edit_export):
    # given: branch SX-03 is malformed (an unknown level)
    def break_branch(data):
        record(data, "organisations", "SX-03")["level"] = "city"

    export = edit_export(small_export, break_branch)
    # when
    report = run_import(export)
    # then
    scope = set()
    errors = {(e.list, e.record): e for e in report.refused if (e.list, e.record) not in scope}
    assert errors[("organisations", "SX-03")].field == "level"
    dependents = [key for key in errors if key[0] != "organisations" and key[0] != "menus"]
    assert ("channel_accounts", "wx-sx-02") not in errors  # SX-02's account is fine
    assert {"sms_templates", "articles", "packages"} <= {list_name for list_name, _code in dependents}
    refused_codes = {code for _list, code in errors}
    for key in dependents:
        # directly (a template of SX-03) or through another refused record (an article of a refused package)
        message = errors[key].message
        assert "已被拒绝" in message and any(code in message for code in refused_codes - {key[1]}), errors[key]
    assert any("SX-03" in errors[key].message for key in dependents if key[0] == "sms_templates")
    assert not Organisation.objects.filter(code="SX-03").exists()
    assert not SmsTemplate.objects.filter(organisation__code="SX-03").exists()
    assert SmsTemplate.objects.filter(organisation__code="SX-02").exists()
    assert not Package.objects.filter(organisation__code="SX-03").exists()


def _images_of(article):
    inline = [part.split('"')[0] for part in article["body_html"].split('data-image="')[1:]]
    return {article["cover_image"], *inline} - {None}


def test_articles_depending_on_a_refused_image_or_package_are_refused(run_import, small_export, edit_export):
    # given: an image some article uses has its file missing; a package another article
    # relates to (one not using that image) has a negative fee
    data = read(small_export)
    image = next(a["cover_image"] for a in data["articles"] if a["cover_image"])
    package = next(p for a in data["articles"] if image not in _images_of(a) for p in a["related_packages"])

    def damage(data):
        record(data, "images", image)["file"] = "images/missing.png"
        record(data, "packages", package)["monthly_fee"] = "-1.00"

    export = edit_export(small_export, damage)
    # when
    report = run_import(export)
    # then
    scope = set()
    errors = {(e.list, e.record): e for e in report.refused if e.list != "menus" and (e.list, e.record) not in scope}
    assert errors.pop(("images", image)).field == "file"
    assert errors.pop(("packages", package)).field == "monthly_fee"
    assert errors, "some article depends on the refused image or package"
    for (list_name, code), error in errors.items():
        assert list_name == "articles"
        assert error.field in {"cover_image", "body_html", "related_packages"}
        assert image in error.message or package in error.message
        assert not Article.objects.filter(code=code).exists()
    assert any(image in e.message for e in errors.values()) and any(package in e.message for e in errors.values())
    assert {code for _list, code in errors} == {
        a["code"] for a in data["articles"] if image in _images_of(a) or package in a["related_packages"]}
    assert not LibraryImage.objects.filter(code=image).exists()
    assert Article.objects.count() + len(errors) + len(scope) == len(data["articles"])
    assert ChannelAccount.objects.count() == len(data["channel_accounts"])
