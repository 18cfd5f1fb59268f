"""One difference between an account and the CMS, and whether it counts as drift."""

from dataclasses import asdict, dataclass

MISSING = "missing"  # the CMS wants it, the account lacks it
EXTRA = "extra"  # published by this platform, no longer wanted
DIFFERENT = "different"  # on the account, but not what the CMS wants
FOREIGN = "foreign"  # on the account, never published by this platform: reported, never deleted
DRIFT_KINDS = frozenset({MISSING, EXTRA, DIFFERENT})
LABELS = {MISSING: "缺少", EXTRA: "多余", DIFFERENT: "不一致", FOREIGN: "非本平台发布"}


@dataclass(frozen=True)
class Finding:
    area: str  # menu, article, material
    kind: str
    what: str
    code: str = ""  # the item's code when the finding is about one item
    ref: str = ""  # the remote id it is about (an article_id), for the repair

    @property
    def drifts(self):
        return self.kind in DRIFT_KINDS

    def as_dict(self):
        return asdict(self)

    def __str__(self):
        return f"{LABELS[self.kind]} {self.what}"
