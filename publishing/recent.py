"""The dashboard's latest pushes: one row per run (a release's go-live pushes each item
in its own batch, publishing.runs) and one per batch of its own, each with the
progress of the jobs the user sees. The same few queries however many batches and
jobs the rows hold: the jobs read newest first until enough rows were seen (one window
of them, a few more only when runs of thousands of jobs fill it), the rows' batches,
their counts by state. A run's row lists at most LISTED_BATCHES of its batches, failing
ones first; the task list filtered by the run holds every job."""

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Q

from publishing import runs
from publishing.dashboard import progress_of, publications_for
from publishing.models import PublishBatch, State

# A batch's state summarised for its run's row, in the order shown.
BATCH_STATES = [("pending", "等待"), ("running", "进行中"), ("done", "完成"), ("failed", "失败")]
STATE_LABELS = dict(BATCH_STATES)
# Batches a run's row lists when expanded (a release of hundreds of items is as many
# batches); its counts and states are over all of them.
LISTED_BATCHES = 20


def batch_state(progress):
    """pending, running, done or failed: a batch with a failed job is failed (the
    editor has something to look at) even while its other jobs go on."""
    counts = progress["counts"]
    if counts[State.FAILED]:
        return "failed"
    if progress["complete"]:
        return "done"
    if counts[State.RUNNING] or progress["finished"]:
        return "running"
    return "pending"


def listed(batches, state_of):
    """The first LISTED_BATCHES of ``batches`` (in the order pushed) to list, failing
    ones first: what the editor has to look at is the last to be left out."""
    return sorted(batches, key=lambda batch: state_of(batch) != "failed")[:LISTED_BATCHES]


def batch_states(progresses):
    """[(state, label, batches)] over the progress of each batch, zeros included."""
    counted = Counter(batch_state(progress) for progress in progresses)
    return [(state, label, counted[state]) for state, label in BATCH_STATES]


@dataclass
class Pushed:
    """One batch of a run's row: its progress over the user's jobs, its state, and what
    it pushed (labels resolved once per page: a run lists tens of batches)."""

    batch: PublishBatch
    progress: dict
    state: str
    what: str = ""

    @property
    def state_label(self):
        return STATE_LABELS[self.state]


@dataclass
class Row:
    """A run's batches (``key`` set), or one batch of its own."""

    key: str
    label: str
    batches: list = field(default_factory=list)  # [Pushed], in the order pushed
    url: str = ""

    @property
    def batch(self):
        return self.batches[0].batch

    @cached_property
    def listed(self):
        """The batches the expanded row lists (publishing.recent.listed)."""
        return listed(self.batches, lambda pushed: pushed.state)

    @property
    def unlisted(self):
        return len(self.batches) - len(self.listed)

    @property
    def listed_ids(self):
        """The listed batches' ids, for the progress URL: the bar moves those rows."""
        return ",".join(str(pushed.batch.pk) for pushed in self.listed)

    @cached_property
    def progress(self):
        counts = Counter()
        for pushed in self.batches:
            counts.update(pushed.progress["counts"])
        return progress_of(self.key or self.batch.pk, counts)

    @cached_property
    def states(self):
        return batch_states(pushed.progress for pushed in self.batches)

    @property
    def started(self):
        return min(pushed.batch.created_at for pushed in self.batches)

    @property
    def finished(self):
        """When its last batch finished, once every one has."""
        ends = [pushed.batch.finished_at for pushed in self.batches]
        if None in ends or not self.progress["complete"]:
            return None
        return max(ends)


def latest_rows(mine, limit, window=500):
    """The ``limit`` rows whose latest job is the most recent, as ("run", key) or
    ("batch", id): the jobs read newest first (the created_at index) until ``limit``
    rows were seen, the same order as grouping every job by row and sorting on its
    latest, without reading them all. Each next window asks only for older jobs of rows
    not seen yet: the database skips the jobs of rows already seen, so each window
    adds at least one row (at most ``limit`` windows; one unless runs of thousands of
    jobs fill it)."""
    rows, seen = [], set()
    newest_first = mine.order_by("-created_at", "-pk").values_list("batch_id", "batch__run_key", "created_at", "pk")
    unseen = newest_first
    while len(rows) < limit:
        chunk = list(unseen[:window])
        for batch_id, run_key, _at, _pk in chunk:
            row = ("run", run_key) if run_key else ("batch", batch_id)
            if row not in seen:
                seen.add(row)
                rows.append(row)
        if len(chunk) < window:
            break
        last_at, last_pk = chunk[-1][2:]
        unseen = newest_first.filter(Q(created_at__lt=last_at) | Q(created_at=last_at, pk__lt=last_pk))
        unseen = unseen.exclude(batch_id__in=[key for kind, key in rows if kind == "batch"])
        run_keys = [key for kind, key in rows if kind == "run"]
        if run_keys:
            unseen = unseen.exclude(batch__run_key__in=run_keys)
    return rows[:limit]


def _counts_by_batch(publications):
    counts = {}
    for batch_id, state, n in publications.order_by().values_list("batch_id", "state").annotate(n=Count("pk")):
        counts.setdefault(batch_id, {})[state] = n
    return counts


def recent_rows(user, limit=10):
    """The latest rows reaching the user's accounts. A run's row holds only the batches
    with jobs the user sees, counted over those jobs only (isolation)."""
    mine = publications_for(user).select_related(None)
    wanted = latest_rows(mine, limit)
    run_keys = [key for kind, key in wanted if kind == "run"]
    lone = [key for kind, key in wanted if kind == "batch"]
    batches = list(
        PublishBatch.objects.filter(Q(pk__in=lone) | Q(run_key__in=run_keys))
        .select_related("requested_by")
        .order_by("created_at", "pk")
    )
    counts = _counts_by_batch(mine.filter(batch_id__in=[batch.pk for batch in batches]))
    links = runs.links(run_keys)
    rows = {("run", key): Row(key=key, label="", url=links.get(key, "")) for key in run_keys}
    actions = {value: str(label) for value, label in PublishBatch.Action.choices}
    kinds = {value: str(label) for value, label in PublishBatch.Kind.choices}
    for batch in batches:
        if batch.pk not in counts:
            continue  # a run's batch reaching none of the user's accounts
        progress = progress_of(batch.pk, counts[batch.pk])
        row = rows.setdefault(("run", batch.run_key) if batch.run_key else ("batch", batch.pk),
                              Row(key="", label=batch.label))
        row.label = batch.run_label if batch.run_key else batch.label
        what = f"{actions.get(batch.action, batch.action)} {kinds.get(batch.kind, batch.kind)} {batch.source_code}"
        row.batches.append(Pushed(batch, progress, batch_state(progress), what))
    return [rows[key] for key in wanted if key in rows and rows[key].batches]


def run_progress(user, run_key, batch_ids=None):
    """The progress of the run's jobs the user sees, with its batches by state and the
    state of each of ``batch_ids`` (the ones the row lists; by default the first listed),
    at most LISTED_BATCHES (the dashboard row's bar polls it); None when the user sees none."""
    counts = _counts_by_batch(publications_for(user).select_related(None).filter(batch__run_key=run_key))
    if not counts:
        return None
    progresses = [progress_of(batch_id, by_state) for batch_id, by_state in sorted(counts.items())]
    total = Counter()
    for by_state in counts.values():
        total.update(by_state)
    data = progress_of(run_key, total)
    data["batches"] = {state: n for state, _label, n in batch_states(progresses)}
    if batch_ids is None:
        shown = listed(progresses, batch_state)
    else:
        wanted = set(list(batch_ids)[:LISTED_BATCHES])
        shown = [p for p in progresses if p["batch"] in wanted]  # only batches with jobs the user sees
    data["batch_rows"] = [
        {"id": p["batch"], "state": batch_state(p), "state_label": STATE_LABELS[batch_state(p)],
         "finished": p["finished"], "total": p["total"]}
        for p in shown
    ]
    return data
