"""What an import did: counts per list, the records it refused and the warnings
about records it imported with something left out, each naming the list, the
record and the field."""

import json
from dataclasses import dataclass, field

from content.errors import RecordError

OUTCOMES = ("created", "updated", "unchanged")


@dataclass
class ImportReport:
    dry_run: bool = False
    counts: dict = field(default_factory=dict)
    refused: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    # Side effects owed by this run (importing.outbox kind -> count), and those of
    # earlier runs this run completed before it started.
    queued: dict = field(default_factory=dict)
    completed_earlier: dict = field(default_factory=dict)

    def start_list(self, name):
        self.counts.setdefault(name, dict.fromkeys(OUTCOMES, 0))

    def count(self, name, outcome, n=1):
        self.start_list(name)
        self.counts[name][outcome] += n

    def refuse(self, error: RecordError):
        self.refused.append(error)

    def queue(self, kind, n=1):
        self.queued[kind] = self.queued.get(kind, 0) + n

    def warn(self, error: RecordError):
        """A record imported without part of it (the message says what was left out)."""
        self.warnings.append(error)

    def refused_records_all(self):
        """(list, record) of every refused record."""
        return {(e.list, e.record) for e in self.refused}

    def refused_records(self, name):
        return {e.record for e in self.refused if e.list == name}

    @property
    def ok(self):
        return not self.refused

    @property
    def exit_status(self):
        return 0 if self.ok else 1

    def as_dict(self):
        return {
            "imported": {name: dict(counts) for name, counts in self.counts.items()},
            "refused": [_entry(e) for e in self.refused],
            "warnings": [_entry(e) for e in self.warnings],
            "queued": dict(self.queued),
            "completed_earlier": dict(self.completed_earlier),
        }

    def to_json(self):
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)

    def rows(self):
        """(list, created, updated, unchanged, refused records) per list, for the summary table."""
        for name, counts in self.counts.items():
            yield name, counts["created"], counts["updated"], counts["unchanged"], len(self.refused_records(name))


def _entry(error):
    return {"list": error.list, "record": error.record, "field": error.field, "message": error.message}
