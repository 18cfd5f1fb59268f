"""The change log of published content, per channel account, and the bundle builder.

Every published change bumps a monotonic version (``Change.version``); front ends
and the SMS gateway keep a full copy with ``changes_since`` / ``bundle_delta`` and
start from ``build_bundle``. See ``publishing.changes.services``."""
