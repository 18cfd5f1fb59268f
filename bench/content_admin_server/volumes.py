"""Full-scale volumes of the tables that grow in production, for the admin benchmark.

The legacy export brings content; these tables fill up afterwards, in service: the
callback's message log (30 accounts at a few requests a second for a week), the
followers it learns, template messages sent, publishing batches and their jobs,
webhook deliveries and the change log; and releases (100 gone live, each of whose
go-lives pushed 10 of the latest batches, one dashboard row each; one open release
of the branch SX-01 holding 30 articles: the release page). ``grow()`` tops each table up to its target
with PostgreSQL COPY (a million rows in under a minute), deterministically (seeded;
times spread over the week before the run), and leaves a table already at its
target alone, so a later run reuses the rows. Then the database is analysed (and the
grown tables vacuumed), as autovacuum keeps a production database: the plans measured
are the plans served.
"""

import json
import random
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import NOT_PROVIDED
from django.utils import timezone

from callback.models import Follower, MessageLog
from content.models import Article, ChannelAccount
from notices.models import Send
from publishing.changes.models import Change
from publishing.models import (
    Delivery,
    Publication,
    PublishBatch,
    State,
    WebhookEndpoint,
)

TARGETS = {
    MessageLog: 1_000_000,
    Follower: 100_000,
    Send: 200_000,
    PublishBatch: 20_000,
    Publication: 200_000,
    Delivery: 50_000,
    Change: 100_000,
}
WEEK = timedelta(days=7)
STATE_WEIGHTS = [(State.DONE, 90), (State.FAILED, 5), (State.CANCELLED, 2), (State.QUEUED, 1), (State.PAUSED, 1),
                 (State.RUNNING, 1)]


def _defaults(model):
    """{column: default} of every concrete column but an auto primary key."""
    out = {}
    for field in model._meta.concrete_fields:
        if field.primary_key and field.get_internal_type() in ("AutoField", "BigAutoField"):
            continue
        if field.has_default() or field.default is not NOT_PROVIDED:
            value = field.get_default()
        elif field.null:
            value = None
        else:
            value = ""
        out[field.column] = value
    return out


def _copy(model, rows):
    """COPY ``rows`` (dicts by column name; the rest take the model's defaults) into ``model``'s table."""
    defaults = _defaults(model)
    columns = list(defaults)
    sql = f'COPY {model._meta.db_table} ({", ".join(columns)}) FROM STDIN'
    with connection.cursor() as cursor, cursor.connection.cursor() as raw, raw.copy(sql) as copy:
        for row in rows:
            values = []
            for column in columns:
                value = row.get(column, defaults[column])
                values.append(json.dumps(value) if isinstance(value, (dict, list)) else value)
            copy.write_row(values)


def _times(rng, n, now):
    """``n`` instants over the week before ``now``, oldest first."""
    seconds = WEEK.total_seconds()
    return [now - timedelta(seconds=s) for s in sorted((rng.random() * seconds for _ in range(n)), reverse=True)]


def _openid(account_id, n):
    return f"o{account_id:04d}{n:023d}"


def _message_logs(rng, n, accounts, now):
    kinds = [("text", "", "keyword"), ("text", "", "default"), ("event", "subscribe", "subscribe"),
             ("event", "CLICK", "click"), ("event", "VIEW", ""), ("image", "", "default")]
    for at in _times(rng, n, now):
        account = rng.choice(accounts)
        msg_type, event, matched = rng.choice(kinds)
        yield {"account_id": account, "openid": _openid(account, rng.randrange(5000)), "msg_type": msg_type,
               "event": event, "excerpt": "查询流量套餐 ***" if msg_type == "text" else "", "matched_kind": matched,
               "matched_rule_id": rng.randrange(1, 500) if matched else None,
               "matched_label": "流量" if matched == "keyword" else "", "encrypted": rng.random() < 0.5,
               "created_at": at}


def _followers(rng, n, accounts, now):
    per_account = n // len(accounts) + 1
    made = 0
    for account in accounts:
        for k in range(per_account):
            if made == n:
                return
            made += 1
            yield {"account_id": account, "openid": _openid(account, 10_000 + k), "subscribed": rng.random() < 0.9,
                   "last_seen": now - timedelta(seconds=rng.random() * WEEK.total_seconds())}


def _sends(rng, n, accounts, now):
    states = [Send.State.DELIVERED] * 85 + [Send.State.SENT] * 8 + [Send.State.FAILED] * 5 + [Send.State.QUEUED] * 2
    for i, at in enumerate(_times(rng, n, now)):
        account = rng.choice(accounts)
        state = rng.choice(states)
        yield {"account_id": account, "code": f"notice_{i % 40:02d}", "openid": _openid(account, rng.randrange(5000)),
               "values": {"first": "您好", "keyword1": "流量提醒"}, "template_id": f"tpl{i % 40:02d}",
               "client_msg_id": f"bench-{i}", "caller": "crm", "test": i % 500 == 0, "state": state,
               "attempts": 1, "msgid": str(1_000_000 + i) if state != Send.State.QUEUED else "",
               "reason": "43004 require subscribe" if state == Send.State.FAILED else "", "created_at": at,
               "sent_at": at, "finished_at": at if state in (Send.State.DELIVERED, Send.State.FAILED) else None}


def _batches(rng, n, articles, article_type, now):
    for at in _times(rng, n, now):
        article_id, code, title = rng.choice(articles)
        yield {"kind": "article", "action": "publish", "origin": "editor", "source_type_id": article_type,
               "source_id": str(article_id), "source_code": code, "label": title[:200], "created_at": at,
               "finished_at": at + timedelta(seconds=30)}


def _publications(rng, batches, accounts, per_batch):
    states = [state for state, weight in STATE_WEIGHTS for _ in range(weight)]
    for batch_id, at in batches:
        for account in rng.sample(accounts, min(per_batch, len(accounts))):
            state = rng.choice(states)
            failed = state == State.FAILED
            yield {"batch_id": batch_id, "account_id": account, "channel": "wechat", "state": state,
                   "step": "finished" if state == State.DONE else "draft", "attempts": 1, "failures": int(failed),
                   "last_error": "45009 reach max api daily quota limit" if failed else "",
                   "last_error_code": "45009" if failed else "", "created_at": at, "started_at": at,
                   "finished_at": at + timedelta(seconds=20) if state == State.DONE else None,
                   "next_attempt_at": at + timedelta(hours=1) if state == State.PAUSED else None}


def _deliveries(rng, n, endpoints, now):
    states = [state for state, weight in STATE_WEIGHTS for _ in range(weight)]
    for at in _times(rng, n, now):
        state = rng.choice(states)
        yield {"endpoint_id": rng.choice(endpoints), "state": state, "attempts": 1, "body": '{"changes": []}',
               "last_status_code": 200 if state == State.DONE else 502, "created_at": at, "first_attempt_at": at,
               "finished_at": at if state == State.DONE else None}


def _changes(rng, n, accounts, articles, now):
    for at in _times(rng, n, now):
        article_id, code, _title = rng.choice(articles)
        yield {"account_id": rng.choice(accounts), "kind": "article", "code": code, "object_id": article_id,
               "action": "upsert", "created_at": at}


def _endpoints(accounts):
    """A webhook endpoint on each account that has none (deliveries need one)."""
    have = set(WebhookEndpoint.objects.values_list("account_id", flat=True))
    for account in accounts:
        if account not in have:
            WebhookEndpoint.objects.create(account_id=account, name=f"bench-{account}",
                                           url=f"https://hooks.example.com/{account}", secret="bench-secret")
    return list(WebhookEndpoint.objects.values_list("pk", flat=True))


RELEASES = 100  # gone live, 10 items each; then one open release of the branch SX-01
OPEN_RELEASE_ITEMS = 30


def _releases(rng, now):
    """Past releases of the province (live, holding nothing) and one open release of the
    first branch holding ``OPEN_RELEASE_ITEMS`` articles: the release page's cell."""
    from content.models import Organisation
    from releases.models import Release, ReleaseItem

    if Release.objects.filter(code__startswith="BENCH-").exists():
        return
    province = Organisation.objects.get(level=Organisation.Level.PROVINCE, parent=None)
    branch = Organisation.objects.filter(level=Organisation.Level.BRANCH).order_by("code").first()
    article_type = ContentType.objects.get_for_model(Article)
    articles = list(Article.objects.order_by("pk").values_list("pk", "code"))
    past = Release.objects.bulk_create(
        Release(code=f"BENCH-{n:04d}", title=f"第{n}期上线", organisation=province, state=Release.State.LIVE,
                went_live_at=now - timedelta(days=n % 30)) for n in range(RELEASES)
    )
    items = [ReleaseItem(release=release, kind="article", content_type=article_type, object_id=pk, code=code,
                         holding=False, was_live=True)
             for release in past for pk, code in rng.sample(articles, 10)]
    held = Release.objects.create(code="BENCH-OPEN", title="本周上线", organisation=branch)
    items += [ReleaseItem(release=held, kind="article", content_type=article_type, object_id=pk, code=code)
              for pk, code in articles[:OPEN_RELEASE_ITEMS]]
    ReleaseItem.objects.bulk_create(items)


RUN_BATCHES = 10  # each past release's go-live pushed this many batches


def _release_runs():
    """The past releases' go-lives among the latest batches: each marks ``RUN_BATCHES``
    consecutive batches as its run (one dashboard row), every other group of the newest
    batches, so the dashboard's latest rows are runs and lone batches alike."""
    from publishing import runs
    from releases import fanout
    from releases.models import Release, ReleaseRun

    if PublishBatch.objects.exclude(run_key="").exists():
        return
    past = list(Release.objects.filter(code__startswith="BENCH-", state=Release.State.LIVE).order_by("code"))
    newest = list(PublishBatch.objects.order_by("-created_at", "-pk").values_list("pk", flat=True)
                  [: 2 * RUN_BATCHES * len(past)])
    for n, release in enumerate(past):
        run = ReleaseRun(release=release, action=ReleaseRun.Action.GO_LIVE)
        runs.mark(newest[2 * n * RUN_BATCHES : (2 * n + 1) * RUN_BATCHES], fanout.run_key(run), fanout.run_label(run))


def grow(targets=None, seed=22):
    """Tops each growing table up to its target; {model name: rows now}."""
    targets = targets or TARGETS
    rng = random.Random(seed)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    wechat = list(ChannelAccount.objects.filter(type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT)
                  .order_by("pk").values_list("pk", flat=True))
    others = list(ChannelAccount.objects.exclude(type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT)
                  .order_by("pk").values_list("pk", flat=True))
    everyone = wechat + others
    articles = list(Article.objects.order_by("pk").values_list("pk", "code", "title"))
    made = {}
    with transaction.atomic():
        for model, target in targets.items():
            missing = target - model.objects.count()
            if missing <= 0 or model is Publication:
                continue
            if model is MessageLog:
                _copy(model, _message_logs(rng, missing, wechat, now))
            elif model is Follower:
                Follower.objects.all().delete()  # openids are numbered per account: start over
                _copy(model, _followers(rng, target, wechat, now))
            elif model is Send:
                Send.objects.filter(client_msg_id__startswith="bench-").delete()
                _copy(model, _sends(rng, target, wechat, now))
            elif model is PublishBatch:
                first = (PublishBatch.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
                _copy(model, _batches(rng, missing, articles, ContentType.objects.get_for_model(Article).pk, now))
                new = list(PublishBatch.objects.filter(pk__gt=first).order_by("pk").values_list("pk", "created_at"))
                per_batch = max(1, targets.get(Publication, 0) // max(1, targets[PublishBatch]))
                _copy(Publication, _publications(rng, new, everyone, per_batch))
            elif model is Delivery:
                _copy(model, _deliveries(rng, missing, _endpoints(others or everyone), now))
            elif model is Change:
                _copy(model, _changes(rng, missing, everyone, articles, now))
            made[model.__name__] = missing
        _releases(rng, now)
        _release_runs()
    with connection.cursor() as cursor:
        # As autovacuum would in service: the grown tables vacuumed (hint bits and the
        # visibility map: index-only counts), and statistics on every table, the
        # imported ones too. Without them the planner takes the 41,000-entry
        # log of site history for a few hundred rows and picks plans production won't.
        grown = set(made) | ({Publication.__name__} if PublishBatch.__name__ in made else set())
        for model in targets:
            if model.__name__ in grown:
                cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
        cursor.execute("ANALYZE")
    return {model.__name__: model.objects.count() for model in targets}
