"""Assembles a sample legacy channel export (``legacy-channel-export/1``) and writes
it: ``OUT_DIR/export.json`` and ``OUT_DIR/images/*.png``, with the sample's promotion
slots in ``OUT_DIR/slots.json`` (not part of the legacy format).

Deterministic: each list draws from its own random stream seeded with
``seed`` and the list's name, nothing reads the clock, and the JSON is written
in a fixed order, one record a line, so the same scale and seed give the same
bytes (and a change to one list does not reshuffle the others)."""

import json
import random
from pathlib import Path

from . import articles, catalogue, images, matrix, menus, promotions, replies, sms
from .dirty import append_dirty
from .scales import SCALES

FORMAT = "legacy-channel-export/1"
DEFAULT_SEED = 2024
# The order of the lists in export.json: each refers only to lists before it.
LISTS = (
    "organisations", "brands", "channel_accounts", "template_messages", "packages", "businesses", "images",
    "sms_templates", "menus", "keyword_replies", "articles",
)


def assemble(scale="small", *, dirty=False, seed=DEFAULT_SEED):
    """The export as a dict of lists (image records still carry their ``_colour``)."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: choose from {', '.join(SCALES)}")
    size = SCALES[scale]

    def rng(name):
        return random.Random(f"{seed}:{name}")

    orgs = matrix.organisations(size)
    accounts = matrix.channel_accounts(size, orgs)
    packages = catalogue.packages(rng("packages"), size, orgs)
    image_records = images.image_records(rng("images"), size, orgs)
    shape = menus.sms_menu_shape(size)
    templates = sms.templates(rng("sms_templates"), size, orgs, packages, menus.leaf_keys(shape))
    export = {
        "organisations": orgs,
        "brands": matrix.brands(),
        "channel_accounts": accounts,
        "template_messages": replies.template_messages(),
        "packages": packages,
        "businesses": catalogue.businesses(rng("businesses"), size, orgs),
        "images": image_records,
        "sms_templates": templates,
        "menus": [*menus.sms_menus(shape, templates), *menus.wechat_menus(accounts), menus.web_menu(),
                  menus.miniprogram_menu()],
        "keyword_replies": [*replies.shared_keyword_replies(orgs), *replies.keyword_replies(size, accounts)],
        "articles": articles.articles(rng("articles"), size, orgs, images.readable_images(image_records, orgs),
                                      packages),
    }
    if dirty:
        append_dirty(export)
    return export


def write(export, out_dir):
    """Write ``export`` (from ``assemble``) into ``out_dir``; PNGs a previous build left
    that this export does not name are removed."""
    out = Path(out_dir)
    image_dir = out / "images"
    image_dir.mkdir(parents=True, exist_ok=True)
    wanted = set()
    for record in export["images"]:
        path = out / record["file"]
        wanted.add(path.name)
        data = images.png_bytes(record)
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
    for stale in image_dir.glob("*.png"):
        if stale.name not in wanted:
            stale.unlink()
    with open(out / "export.json", "w", encoding="utf-8", newline="\n") as stream:
        stream.write('{"format": ' + json.dumps(FORMAT))
        for name in LISTS:
            stream.write(f',\n"{name}": [')
            for index, record in enumerate(export[name]):
                if name == "images":
                    record = {key: value for key, value in record.items() if not key.startswith("_")}
                stream.write(("\n" if index == 0 else ",\n") + json.dumps(record, ensure_ascii=False, separators=(",", ":")))
            stream.write("\n]")
        stream.write("\n}\n")
    # Slots are not part of the legacy format: a file of their own (manage.py import_slots).
    with open(out / "slots.json", "w", encoding="utf-8", newline="\n") as stream:
        json.dump({"format": promotions.FORMAT, "slots": promotions.slots(export)}, stream, ensure_ascii=False, indent=1)
        stream.write("\n")
    return out


def build(out_dir, scale="small", *, dirty=False, seed=DEFAULT_SEED):
    """Assemble and write a sample export; returns {list name: record count}."""
    export = assemble(scale, dirty=dirty, seed=seed)
    write(export, out_dir)
    return {name: len(export[name]) for name in LISTS}
