"""Article drift: the article_ids live on the account (freepublish/batchget) against
the done publications. The latest done publication of each live item is expected
live; older ones of this platform are extra; anything else was never published here
and is only reported. The one place to switch to the publication ledger."""

from content.models import Article
from publishing.models import Publication, PublishBatch, State

from .findings import EXTRA, FOREIGN, MISSING, Finding

AREA = "article"


def platform_articles(account):
    """[(code, article_id)] of the done article publications on the account, newest first."""
    return list(
        Publication.objects.filter(account=account, channel=Publication.Channel.WECHAT, state=State.DONE,
                                   batch__kind=PublishBatch.Kind.ARTICLE)
        .exclude(article_id="").order_by("-finished_at", "-pk").values_list("batch__source_code", "article_id")
    )


def expected_articles(account, published=None):
    """{code: article_id} the account should show: the latest of each item still live in the CMS."""
    published = platform_articles(account) if published is None else published
    latest = {}
    for code, article_id in published:
        latest.setdefault(code, article_id)
    live = set(Article.objects.filter(code__in=latest, live=True).values_list("code", flat=True))
    return {code: article_id for code, article_id in latest.items() if code in live}


def article_findings(account, live_ids):
    """Findings for the articles; ``live_ids`` from ``client.published_article_ids()``."""
    published = platform_articles(account)
    expected = expected_articles(account, published)
    ours = {article_id: code for code, article_id in published}
    live = set(live_ids)
    out = [Finding(AREA, MISSING, f"图文 {code}(article_id {article_id})", code)
           for code, article_id in sorted(expected.items()) if article_id not in live]
    wanted = set(expected.values())
    for article_id in live_ids:
        if article_id in wanted:
            continue
        if article_id in ours:
            out.append(Finding(AREA, EXTRA, f"图文 {ours[article_id]} 的旧版本或已下线版本(article_id {article_id})",
                               ours[article_id]))
        else:
            out.append(Finding(AREA, FOREIGN, f"图文 article_id {article_id}"))
    return out
