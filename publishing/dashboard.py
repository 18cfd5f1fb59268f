"""What the publishing dashboard shows: publications and deliveries the user may
see (organisation isolation), filtered by state, account, channel and time,
counted by state, and each batch's progress (the latest batches, one row per run:
publishing.recent)."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.dateparse import parse_date

from content.models import ChannelAccount
from content.paging import COUNT_CAP
from content.permissions import scope_for_user, visible
from publishing.drift.findings import Finding
from publishing.models import FINISHED_STATES, AccountDrift, Delivery, Publication, PublishBatch, State

PERIODS = {"1h": timedelta(hours=1), "24h": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30)}
PERIOD_LABELS = [("", "全部时间"), ("1h", "最近1小时"), ("24h", "最近24小时"), ("7d", "最近7天"), ("30d", "最近30天")]


@dataclass
class Filters:
    state: str = ""
    account: str = ""
    channel: str = ""
    kind: str = ""
    period: str = ""
    date_from: str = ""
    date_to: str = ""
    run: str = ""  # a run's key (publishing.runs): its batches' jobs

    @classmethod
    def from_query(cls, params):
        def pick(name, allowed=None):
            value = (params.get(name) or "").strip()
            return value if allowed is None or value in allowed else ""

        return cls(
            state=pick("state", State.values),
            account=pick("account"),
            channel=pick("channel", Publication.Channel.values),
            kind=pick("kind", PublishBatch.Kind.values),
            period=pick("period", PERIODS),
            date_from=pick("from"),
            date_to=pick("to"),
            run=pick("run")[:64],
        )

    def time_range(self):
        start = end = None
        if self.period:
            start = timezone.now() - PERIODS[self.period]
        day = parse_date(self.date_from) if self.date_from else None
        if day:
            start = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
        day = parse_date(self.date_to) if self.date_to else None
        if day:
            end = timezone.make_aware(timezone.datetime.combine(day + timedelta(days=1), timezone.datetime.min.time()))
        return start, end


def visible_accounts(user):
    return visible(ChannelAccount.objects.all(), scope_for_user(user)).order_by("code")


def publications_for(user, filters=None, *, apply_state=True):
    qs = visible(Publication.objects.all(), scope_for_user(user))
    qs = qs.select_related("account", "batch")
    if filters is None:
        return qs
    if filters.state and apply_state:
        qs = qs.filter(state=filters.state)
    if filters.account:
        qs = qs.filter(account__code=filters.account)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.kind:
        qs = qs.filter(batch__kind=filters.kind)
    if filters.run:
        qs = qs.filter(batch__run_key=filters.run)
    return _created_within(qs, filters)


def _created_within(qs, filters):
    start, end = filters.time_range()
    if start:
        qs = qs.filter(created_at__gte=start)
    if end:
        qs = qs.filter(created_at__lt=end)
    return qs


def deliveries_for(user, filters=None, *, apply_state=True):
    qs = visible(Delivery.objects.all(), scope_for_user(user)).select_related("endpoint__account", "publication")
    if filters is None:
        return qs
    if filters.state and apply_state:
        qs = qs.filter(state=filters.state)
    if filters.account:
        qs = qs.filter(endpoint__account__code=filters.account)
    if filters.run:
        qs = qs.filter(publication__batch__run_key=filters.run)
    return _created_within(qs, filters)


def state_counts(qs, cap=None):
    """[(state, label, count)] in the lifecycle's order, zeros included. A count over
    ``cap`` reads "10000+": each state is counted apart, up to the cap, through the
    state indexes, instead of grouping every job the user sees (200,000 at full scale)."""
    cap = cap or COUNT_CAP
    out = []
    for value, label in State.choices:
        n = qs.order_by().filter(state=value)[: cap + 1].count()
        out.append((value, label, f"{cap}+" if n > cap else n))
    return out


def batch_progress(batch, publications=None):
    """Counts by state and the share finished, for the progress bar."""
    rows = publications if publications is not None else batch.publications.all()
    return progress_of(batch.pk, dict(rows.order_by().values_list("state").annotate(n=Count("pk"))))


def progress_of(batch_id, counts):
    """The progress of ``counts`` ({state: publications}) of a batch, or of a run's batches."""
    total = sum(counts.values())
    finished = sum(counts.get(state, 0) for state in FINISHED_STATES)
    return {
        "batch": batch_id,
        "total": total,
        "finished": finished,
        "percent": round(100 * finished / total) if total else 100,
        "counts": {state: counts.get(state, 0) for state in State.values},
        "complete": total > 0 and finished == total,
    }


def paused_accounts(user):
    """Accounts with paused jobs: when they resume and why."""
    return list(
        publications_for(user)
        .filter(state=State.PAUSED)
        .order_by()
        .values("account_id", "account__code", "account__name")
        .annotate(jobs=Count("pk"), resume_at=Min("next_attempt_at"), reason=Max("last_error"))
        .order_by("account__code")
    )


def account_drift(user):
    """The last drift check of each official account the user sees, drifting first."""
    scope = scope_for_user(user)
    checks = {d.account_id: d for d in visible(AccountDrift.objects.all(), scope)}
    accounts = visible_accounts(user).filter(type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT, enabled=True)
    rows = []
    for account in accounts:
        check = checks.get(account.pk)
        lines = [f"{f['area']}:{Finding(**f)}" for f in check.findings] if check else []
        rows.append((account, check, lines))
    return sorted(rows, key=lambda row: (not (row[1] and row[1].drifted), row[0].code))
