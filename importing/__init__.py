"""Legacy import: an operator's whole channel estate, moved in record by record.

``import_export(export_dir, dry_run=False, org=None)`` imports every list of a
``legacy-channel-export/1`` folder (see /docs LEGACY_EXPORT.md) and returns an
``ImportReport``; ``manage.py import_legacy`` is its command line."""
