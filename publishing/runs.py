"""Runs: batches one action pushed together (a release's go-live pushes each of its
items in its own batch), shown on the dashboard as one row.

The app that starts the run marks its batches with an opaque key, ``"<source>:<id>"``,
and a label (``mark``); publishing groups by the key without knowing what it names.
The app registers how a key of its source links to its own page (``register_links``),
so publishing never imports it."""

from publishing.models import PublishBatch

# {source: links(keys) -> {key: url}}; filled by the apps above publishing.
_LINKS = {}


def register_links(source, links):
    """``links(keys)`` answers the URL of each key of ``source`` it knows, for the
    dashboard's rows (called once per page with every key shown: keep it one query at most)."""
    _LINKS[source] = links


def key(source, *parts):
    return ":".join([source, *map(str, parts)])[:64]


def source_of(run_key):
    return run_key.split(":", 1)[0]


def mark(batches, run_key, run_label):
    """The batches (or their ids) are pushes of the run ``run_key``."""
    if not run_key or "/" in run_key or len(run_key) > 64:
        raise ValueError(f"not a run key: {run_key!r}")  # it is a path segment of the run's progress URL
    ids = [getattr(batch, "pk", batch) for batch in batches if batch is not None]
    PublishBatch.objects.filter(pk__in=ids).update(run_key=run_key, run_label=run_label[:200])


def links(run_keys):
    """{key: url} of the keys whose source registered its links; the others have none."""
    by_source = {}
    for run_key in run_keys:
        by_source.setdefault(source_of(run_key), []).append(run_key)
    found = {}
    for source, keys in by_source.items():
        if source in _LINKS:
            found.update(_LINKS[source](keys))
    return found
