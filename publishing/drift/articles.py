"""Article drift: the article_ids live on the account (freepublish/batchget) against
the ledger (publishing.services.ledger). A ledger article not withdrawn, of an item
still live, is expected; any other article this platform published is extra (a
replaced version or a takedown that did not land); anything else was never published
here and is only reported."""

from content.models import Article
from publishing.services import ledger

from .findings import EXTRA, FOREIGN, MISSING, Finding

AREA = "article"


def _ledger_rows(account):
    """[(source_id, code, article_id, withdrawn)] of this platform's articles on the account, newest first."""
    rows = ledger.published().filter(account=account).order_by("-finished_at", "-pk")
    return [(source_id, code, article_id, withdrawn_at is not None)
            for source_id, code, article_id, withdrawn_at in rows.values_list(
                "batch__source_id", "batch__source_code", "article_id", "withdrawn_at")]


def expected_articles(account, rows=None):
    """{article_id: code} the account should show: ledger articles not withdrawn, of live items."""
    rows = _ledger_rows(account) if rows is None else rows
    ids = {int(row[0]) for row in rows if row[0].isdigit()}
    live_items = {str(pk) for pk in Article.objects.filter(pk__in=ids, live=True).values_list("pk", flat=True)}
    return {article_id: code for source_id, code, article_id, withdrawn in rows
            if not withdrawn and source_id in live_items}


def takedown_of(account, article_ids):
    """{source_id: [article_id]}: the ledger's sources of these article_ids on the account."""
    out = {}
    for source_id, _code, article_id, _withdrawn in _ledger_rows(account):
        if article_id in article_ids and article_id not in out.get(source_id, []):
            out.setdefault(source_id, []).append(article_id)
    return out


def article_findings(account, live_ids):
    """Findings for the articles; ``live_ids`` from ``client.published_article_ids()``."""
    rows = _ledger_rows(account)
    expected = expected_articles(account, rows)
    ours = {article_id: code for _source_id, code, article_id, _withdrawn in rows}
    live = set(live_ids)
    out = [Finding(AREA, MISSING, f"图文 {code}(article_id {article_id})", code)
           for article_id, code in sorted(expected.items(), key=lambda pair: pair[1]) if article_id not in live]
    for article_id in live_ids:
        if article_id in expected:
            continue
        if article_id in ours:
            out.append(Finding(AREA, EXTRA, f"图文 {ours[article_id]} 的旧版本或已下线版本(article_id {article_id})",
                               ours[article_id], ref=article_id))
        else:
            out.append(Finding(AREA, FOREIGN, f"图文 article_id {article_id}"))
    return out
