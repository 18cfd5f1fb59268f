"""Loads the parts of a legacy export that menus reference (organisations, brands,
accounts, published SMS templates) straight into the models, so menu tests and
the benchmark do not depend on the importer of other records."""

import json
import subprocess
import sys
from pathlib import Path

from content.models import Brand, ChannelAccount, Organisation, SmsTemplate

GENERATOR = "/work/shared/tools/make_legacy_export.py"


def generate(out_dir, scale="small"):
    out = Path(out_dir)
    if not (out / "export.json").exists():
        subprocess.run([sys.executable, GENERATOR, str(out), "--scale", scale], check=True, capture_output=True)
    return json.loads((out / "export.json").read_text(encoding="utf-8"))


def load_references(export):
    """Organisations, brands, channel accounts and (published) SMS templates."""
    orgs = {}
    for record in export["organisations"]:
        orgs[record["code"]], _ = Organisation.objects.get_or_create(
            code=record["code"],
            defaults={"name": record["name"], "level": record["level"], "parent": orgs.get(record["parent"])},
        )
    for record in export["brands"]:
        Brand.objects.get_or_create(code=record["code"], defaults={"name": record["name"]})
    for record in export["channel_accounts"]:
        extra = {k: record[k] for k in ("app_id", "original_id", "service_number", "signature", "base_url") if k in record}
        ChannelAccount.objects.get_or_create(
            code=record["code"],
            defaults={"name": record["name"], "type": record["type"], "organisation": orgs[record["org"]], **extra},
        )
    existing = set(SmsTemplate.objects.values_list("code", flat=True))
    SmsTemplate.objects.bulk_create(
        [
            SmsTemplate(code=t["code"], category=t["category"], organisation=orgs.get(t["org"]) or orgs["SX"],
                        text=t["text"], parameters=t["parameters"], commands=t["commands"], live=True)
            for t in export["sms_templates"]
            if t["code"] not in existing and t["org"] in orgs
        ],
        batch_size=2000,
    )
    return orgs
