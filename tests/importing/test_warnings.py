"""Articles relating a package their organisation does not sell arrive without that
relation, each named in the report as a warning."""

import io
import json

from django.core.management import call_command

from content.models import Article
from harness.export import read, record


def _sold_in(data, package_code):
    """Organisation codes that can sell a package, as the export says: its sale
    organisations, the organisations below them, and those above them."""
    orgs = {o["code"]: o for o in data["organisations"]}
    sale = set(record(data, "packages", package_code)["orgs"])

    def line(code):  # the organisation and its ancestors
        out = []
        while code:
            out.append(code)
            code = orgs[code].get("parent")
        return out

    below = {code for code in orgs if sale & set(line(code))}
    above = {code for sold in sale for code in line(sold)}
    return below | above


def test_a_package_the_articles_organisation_does_not_sell_is_dropped_with_a_warning(run_import, small_export):
    # given
    data = read(small_export)
    # when
    report = run_import(small_export)
    # then
    assert report.warnings
    for warning in report.warnings:
        assert (warning.list, warning.field) == ("articles", "related_packages")
        row = record(data, "articles", warning.record)
        dropped = [code for code in row["related_packages"] if code in warning.message]
        assert len(dropped) == 1 and row["org"] not in _sold_in(data, dropped[0])
        kept = set(Article.objects.get(code=warning.record).related_packages.values_list("code", flat=True))
        assert kept == {c for c in row["related_packages"] if row["org"] in _sold_in(data, c)}
    warned = {w.record for w in report.warnings}
    for row in data["articles"]:
        if row["code"] not in warned and Article.objects.filter(code=row["code"]).exists():
            stored = set(Article.objects.get(code=row["code"]).related_packages.values_list("code", flat=True))
            assert stored == set(row["related_packages"])
    assert not {w.record for w in report.warnings} & {e.record for e in report.refused if e.list == "articles"}


def test_a_rerun_repeats_the_warnings_and_changes_nothing(run_import, small_export):
    # given
    first = run_import(small_export)
    # when
    second = run_import(small_export)
    # then
    assert second.as_dict()["warnings"] == first.as_dict()["warnings"]
    assert second.counts["articles"]["created"] == second.counts["articles"]["updated"] == 0


def test_the_command_prints_the_warnings_and_writes_them_to_the_report(db, settings, tmp_path, small_export):
    # given
    settings.MEDIA_ROOT = tmp_path / "media"
    out, err = io.StringIO(), io.StringIO()
    # when
    try:
        call_command("import_legacy", str(small_export), "--report", str(tmp_path / "report.json"), stdout=out, stderr=err)
    except SystemExit:
        pass
    # then
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["warnings"]
    for warning in report["warnings"]:
        assert f"warning: articles {warning['record']}.related_packages: {warning['message']}" in err.getvalue()
