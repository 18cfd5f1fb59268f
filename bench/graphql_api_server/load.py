"""Puts the full legacy export into the database for the benchmark: through the
project's importer (importing) when it is installed, else with a bulk
loader of the records the API serves; then menus through importing.menu_records and the
change log brought up to date (publishing.changes.services.resync)."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from content.models import (
    Article,
    AutoReply,
    Brand,
    Business,
    ChannelAccount,
    Organisation,
    Package,
    SmsCommand,
    SmsTemplate,
    TemplateMessage,
)
from content.models.wechat import TemplateMessageMapping
from content.services.html import sanitize_html


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def _m2m(model, field, pairs):
    m2m = model._meta.get_field(field)
    through = m2m.remote_field.through
    src, dst = f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"
    through.objects.bulk_create([through(**{src: a, dst: b}) for a, b in pairs], batch_size=5000)


def _organisations(export):
    pending, orgs = list(export["organisations"]), {}
    while pending:
        for record in [r for r in pending if r["parent"] is None or r["parent"] in orgs]:
            orgs[record["code"]] = Organisation.objects.create(
                code=record["code"], name=record["name"], level=record["level"],
                parent=orgs.get(record["parent"]),
            )
            pending.remove(record)
    return orgs


def _images(export, export_dir, orgs):
    from django.core.files import File

    from media.models import LibraryImage

    images = {}
    for record in export["images"]:
        with open(Path(export_dir) / record["file"], "rb") as handle:
            images[record["code"]] = LibraryImage.objects.create(
                title=record.get("alt") or record["code"], code=record["code"], organisation=orgs.get(record.get("org")),
                file=File(handle, name=Path(record["file"]).name),
            )
    return images


def bulk_load(export, export_dir):
    """The records the API serves, live, in a few bulk statements (no revisions)."""
    now = timezone.now()
    live = {"live": True, "first_published_at": now, "last_published_at": now}
    orgs = _organisations(export)
    brands = {b["code"]: Brand.objects.create(code=b["code"], name=b["name"]) for b in export["brands"]}
    accounts = {}
    for record in export["channel_accounts"]:
        fields = {k: record.get(k, "") or "" for k in ("app_id", "original_id", "service_number", "signature", "base_url")}
        accounts[record["code"]] = ChannelAccount.objects.create(
            code=record["code"], name=record["name"], type=record["type"], organisation=orgs[record["org"]], **fields
        )
    for model, records in ((Package, export["packages"]), (Business, export["businesses"])):
        objs = []
        for r in records:
            extra = {} if model is Business else {
                "family": r["family"], "data_mb": r["data_mb"], "voice_minutes": r["voice_minutes"],
                "sms_count": r["sms_count"], "contract_months": r["contract_months"],
                "valid_from": _date(r.get("valid_from")), "valid_to": _date(r.get("valid_to")),
                "highlights": r.get("highlights") or [],
            }
            if model is Business:
                extra["kind"] = r.get("kind", "")
            objs.append(model(
                code=r["code"], name=r["name"], organisation=orgs[r["orgs"][0]], monthly_fee=Decimal(r["monthly_fee"]),
                order_command=r.get("order_command", ""), cancel_command=r.get("cancel_command", ""),
                description=sanitize_html(r.get("description_html", "")), **extra, **live,
            ))
        created = {o.code: o.pk for o in model.objects.bulk_create(objs, batch_size=1000)}
        _m2m(model, "brands", [(created[r["code"]], brands[b].pk) for r in records for b in r["brands"]])
        _m2m(model, "sale_orgs", [(created[r["code"]], orgs[o].pk) for r in records for o in r["orgs"]])
    templates = SmsTemplate.objects.bulk_create([
        SmsTemplate(code=r["code"], category=r["category"], organisation=orgs[r["org"]], text=r["text"],
                    parameters=r["parameters"], commands=r["commands"], **live)
        for r in export["sms_templates"]
    ], batch_size=2000)
    by_code = {t.code: t for t in templates}
    _m2m(SmsTemplate, "brands", [(by_code[r["code"]].pk, brands[b].pk) for r in export["sms_templates"] for b in r["brands"]])
    sms = [a for a in accounts.values() if a.type == ChannelAccount.Type.SMS]
    SmsCommand.objects.bulk_create([
        SmsCommand(account=account, command=command, template=by_code[r["code"]])
        for account in sms for r in export["sms_templates"] for command in r["commands"]
    ], batch_size=2000, ignore_conflicts=True)
    AutoReply.objects.bulk_create([
        AutoReply(account=accounts[r["account"]], keyword=r["keyword"], match=r["match"], reply_type="text",
                  reply_text=r["reply"].get("text", ""), **live)
        for r in export["keyword_replies"]
    ])
    officials = [a for a in accounts.values() if a.type == ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT]
    for r in export["template_messages"]:
        definition = TemplateMessage.objects.create(code=r["code"], title=r["title"], fields=r["fields"],
                                                    organisation=orgs["SX"], **live)
        TemplateMessageMapping.objects.bulk_create([
            TemplateMessageMapping(definition=definition, account=a, wechat_template_id=f"{r['code']}-{a.app_id}")
            for a in officials
        ])
    packages = dict(Package.objects.values_list("code", "pk"))
    images = _images(export, export_dir, orgs)
    articles = Article.objects.bulk_create([
        Article(code=r["code"], title=r["title"][:64], author=r["author"][:32], digest=r["digest"][:256],
                organisation=orgs[r["org"]], channels=r["channels"], body=sanitize_html(r["body_html"]),
                cover_image=images.get(r.get("cover_image")), **live)
        for r in export["articles"]
    ], batch_size=1000)
    ids = {a.code: a.pk for a in articles}
    _m2m(Article, "shared_to", [(ids[r["code"]], orgs[o].pk) for r in export["articles"] for o in r["share_to"]])
    _m2m(Article, "related_packages", [(ids[r["code"]], packages[p]) for r in export["articles"]
                                       for p in r["related_packages"] if p in packages])


def load(export_dir):
    """Import the export once (an empty database), then the menus and the change log."""
    from publishing.changes.services import resync

    export = json.loads((Path(export_dir) / "export.json").read_text(encoding="utf-8"))
    try:
        from importing.runner import import_export
    except ImportError:
        import_export = None
    how = "importing" if import_export is not None else "the bench's bulk loader, images included"
    if Organisation.objects.exists():
        return f"{how}, loaded by an earlier run"
    if import_export is not None:
        import_export(export_dir)
    else:
        with transaction.atomic():
            bulk_load(export, export_dir)
    from importing.menu_records import import_menu
    from menus.models import Menu

    if not Menu.objects.exists():
        for record in export["menus"]:
            import_menu(record)
    resync()
    return how
