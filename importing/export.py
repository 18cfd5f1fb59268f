"""Reading a legacy channel export (``legacy-channel-export/1``) and narrowing it
to one organisation's estate."""

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .ownership import catalogue_owner

FORMAT = "legacy-channel-export/1"

# The lists of the format, in the order they are imported: every reference points
# at a list imported before the one holding it.
LISTS = (
    "organisations",
    "brands",
    "channel_accounts",
    "template_messages",
    "packages",
    "businesses",
    "images",
    "sms_templates",
    "menus",
    "keyword_replies",
    "articles",
)


@dataclass
class LegacyExport:
    """The records of an export, list by list, and the folder its files live in."""

    root: Path
    lists: dict = field(default_factory=dict)
    # list name -> codes of records left out by ``restricted_to``
    outside: dict = field(default_factory=dict)

    @classmethod
    def read(cls, export_dir):
        root = Path(export_dir)
        path = root / "export.json"
        if not path.is_file():
            raise ValidationError(_("%(path)s 不存在") % {"path": path})
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValidationError(_("%(path)s 不是有效的 JSON:%(error)s") % {"path": path, "error": exc}) from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValidationError(_("不支持的导出格式 %(format)r,需要 %(expected)s") % {
                "format": data.get("format") if isinstance(data, dict) else None, "expected": FORMAT})
        lists = {}
        for name in LISTS:
            records = data.get(name, [])
            if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
                raise ValidationError(_("%(list)s 必须是记录的列表") % {"list": name})
            lists[name] = records
        return cls(root=root.resolve(), lists=lists)

    def file_path(self, relative):
        """The export file a record names, or None when its name climbs out of the export
        folder (``../``, an absolute path). Links the operator put in the folder are followed."""
        path = Path(os.path.normpath(self.root / str(relative)))
        return path if path.is_relative_to(self.root) else None

    def restricted_to(self, org_code):
        """Only the estate of ``org_code`` and the organisations below it.

        The organisation's ancestors stay in (records need their parents) and so do
        brands; references to records outside the estate resolve against what is
        already in the database."""
        orgs = self.lists["organisations"]
        parent_of = {o.get("code"): o.get("parent") for o in orgs}
        if org_code not in parent_of:
            raise ValidationError(_("导出中没有组织 %(code)s") % {"code": org_code})
        estate = {org_code}
        grew = True
        while grew:
            below = {code for code, parent in parent_of.items() if parent in estate}
            grew = not below <= estate
            estate |= below
        ancestors, node = set(), parent_of.get(org_code)
        while node and node not in ancestors:
            ancestors.add(node)
            node = parent_of.get(node)

        level_of = {o.get("code"): o.get("level") for o in orgs}

        def owned(record):
            return catalogue_owner(record.get("orgs") or [], parent_of, level_of) in estate

        accounts = [a for a in self.lists["channel_accounts"] if a.get("org") in estate]
        account_codes = {a.get("code") for a in accounts}
        owns_province_records = parent_of.get(org_code) is None
        lists = {
            "organisations": [o for o in orgs if o.get("code") in estate | ancestors],
            "brands": self.lists["brands"],
            "channel_accounts": accounts,
            "template_messages": self.lists["template_messages"] if owns_province_records else [],
            "packages": [p for p in self.lists["packages"] if owned(p)],
            "businesses": [b for b in self.lists["businesses"] if owned(b)],
            "images": [i for i in self.lists["images"] if i.get("org") in estate],
            "sms_templates": [t for t in self.lists["sms_templates"] if t.get("org") in estate],
            "menus": [m for m in self.lists["menus"] if m.get("org") in estate],
            "keyword_replies": [
                r for r in self.lists["keyword_replies"]
                if r.get("account") in account_codes or (r.get("account") is None and r.get("org") in estate)
            ],
            "articles": [a for a in self.lists["articles"] if a.get("org") in estate],
        }
        outside = {
            name: {r.get("code") for r in self.lists[name]} - {r.get("code") for r in lists[name]} for name in LISTS
        }
        return LegacyExport(root=self.root, lists=lists, outside=outside)

