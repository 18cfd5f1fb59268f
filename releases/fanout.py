"""After a release's go-live or rollback committed: one push batch per item to its
accounts (WeChat articles and menus, webhooks to the SMS gateway and web halls),
recorded on the run so a redelivered job adds only what is missing. A failing push
is retried by its own job and shown on the dashboard; it never rolls the release back."""

from django.db import transaction
from django.db.models import Count
from django.urls import reverse

from content import kinds
from publishing import runs
from publishing import services as publishing
from publishing.dashboard import progress_of
from publishing.models import Publication, PublishBatch, State
from releases.models import ReleaseRun, RunBatch

Action = PublishBatch.Action
RUN_SOURCE = "release"


def run_key(run):
    """The run's key on its push batches (publishing.runs): the release and the action,
    unique per run (ReleaseRun is once per release and action)."""
    return runs.key(RUN_SOURCE, run.release_id, run.action)


def run_label(run):
    return f"[{run.release.code}] {run.release.title} · {run.get_action_display()}"


def run_links(keys):
    """The release page of each run key: the dashboard's link from a run's row (no query)."""
    found = {}
    for key in keys:
        _source, release_id, _action = (key.split(":") + ["", ""])[:3]
        if release_id.isdigit():
            found[key] = reverse("releases_admin:release", args=[int(release_id)])
    return found


def _push(run, release_item, user):
    """The item's push batches (a menu taken down may need several)."""
    item = release_item.item()
    if item is None:
        return []
    if release_item.kind == kinds.Kind.MENU:
        if not item.live:
            # Rolled back to nothing: the accounts it served get their menu now, or none.
            return publishing.take_down_menu(item, user=user)
        version = item.versions.order_by("-number").first()
        return [publishing.publish_menu_version(version, user=user)] if version is not None else []
    kind = kinds.kind_of(item)
    if not kind.pushed:
        return []
    if item.live:
        revision = item.live_revision
        return [publishing.publish_item(item, user=user, revision=revision, action=Action.PUBLISH)]
    return [publishing.publish_item(item, user=user, action=Action.UNPUBLISH)]


def fan_out(run_id):
    """Start the run's push batches (idempotent); returns the run."""
    run = ReleaseRun.objects.select_related("release", "user").filter(pk=run_id).first()
    if run is None:
        return None
    done = set(run.batches.values_list("item_id", flat=True))
    key, label = run_key(run), run_label(run)
    for release_item in run.release.items.order_by("pk"):
        if release_item.pk in done:
            continue
        with transaction.atomic():
            batches = [batch for batch in _push(run, release_item, run.user) if batch is not None]
            for batch in batches:
                PublishBatch.objects.filter(pk=batch.pk).update(
                    label=f"[{run.release.code}] {batch.label}"[:200]
                )
            # one row on the dashboard for all of the run's pushes
            runs.mark(batches, key, label)
            # the item is fanned out: a redelivered job skips it (progress reads the run key)
            RunBatch.objects.create(run=run, item=release_item, batch=batches[0] if batches else None)
    ReleaseRun.objects.filter(pk=run.pk).update(fanned_out=True)
    return run


def progress(run):
    """Counts of the publications of every batch of the run by state (an item's push
    may make several: a menu taken down), and whether all finished: one grouped query
    on the run key, whatever the number of items. The same jobs as the dashboard's row
    of the run (publishing.recent.run_progress) for a user who sees all its accounts."""
    key = run_key(run)
    by_state = (
        Publication.objects.filter(batch__run_key=key).order_by().values_list("state").annotate(n=Count("pk"))
    )
    data = progress_of(key, dict(by_state))
    del data["batch"]
    counts = data["counts"]
    data.update(
        run=key,
        # not before every item has its batch: the next item's may not exist yet
        complete=run.fanned_out and data["finished"] == data["total"],
        failed=counts[State.FAILED] + counts[State.PAUSED],
    )
    return data
