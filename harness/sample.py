"""Records of a legacy export (``harness.export``) created straight in the models,
without the importer: real sample content for the menu and rendition tests and
their benchmarks. ``Sample`` creates a record (and what it references) the first
time a test asks for it by code; ``load_references`` loads, at once, what menus
refer to (organisations, brands, channel accounts, published SMS templates, the
offers of the families the navigation's shelves list)."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.files.images import ImageFile

from content.models import Article, Brand, Business, ChannelAccount, Organisation, Package, SmsTemplate
from harness.export import read
from media.models import LibraryImage

# A paragraph holding only a legacy image: Wagtail keeps image embeds at block level.
LEGACY_IMG = re.compile(r"<p>\s*<img\b[^>]*\bdata-image=\"([^\"]+)\"[^>]*>\s*</p>")
# A legacy image inside text.
INLINE_IMG = re.compile(r"<img\b[^>]*\bdata-image=\"([^\"]+)\"[^>]*>")
ALT = re.compile(r"\balt=\"([^\"]*)\"")
ACCOUNT_FIELDS = ("app_id", "original_id", "service_number", "signature", "base_url")


class Sample:
    """Creates export records (and what they reference) the first time they are asked for."""

    def __init__(self, export_dir):
        self.dir = Path(export_dir)
        self.data = read(self.dir)
        # A repeated code (the dirty export's second PKG0001) does not replace the record:
        # the importer keeps the first copy and refuses the repeat.
        self.rows = {}
        for key, rows in self.data.items():
            if isinstance(rows, list) and rows and isinstance(rows[0], dict) and "code" in rows[0]:
                by_code = self.rows[key] = {}
                for row in rows:
                    by_code.setdefault(row["code"], row)
        self._made = {}

    def _once(self, key, code, make):
        if (key, code) not in self._made:
            self._made[key, code] = make(self.rows[key][code])
        return self._made[key, code]

    def org(self, code):
        def make(row):
            parent = self.org(row["parent"]) if row["parent"] else None
            return Organisation.objects.create(code=row["code"], name=row["name"], level=row["level"], parent=parent)

        return self._once("organisations", code, make)

    def brand(self, code):
        def make(row):
            return Brand.objects.get_or_create(code=row["code"], defaults={"name": row["name"]})[0]

        return self._once("brands", code, make)

    def account(self, code, **overrides):
        def make(row):
            account = ChannelAccount(code=row["code"], name=row["name"], type=row["type"], organisation=self.org(row["org"]))
            for field in ACCOUNT_FIELDS:
                if row.get(field):
                    setattr(account, field, row[field])
            for field, value in overrides.items():
                setattr(account, field, value)
            account.save()
            return account

        return self._once("channel_accounts", code, make)

    def accounts(self):
        return [self.account(code) for code in self.rows["channel_accounts"]]

    def image(self, code):
        def make(row):
            with open(self.dir / row["file"], "rb") as handle:
                image = LibraryImage(
                    title=row["alt"] or row["code"], code=row["code"], organisation=self.org(row["org"]),
                    file=ImageFile(handle, name=f"{row['code']}.png"),
                )
                image.save()
            return image

        return self._once("images", code, make)

    def _sold(self, obj, row):
        obj.save()
        obj.brands.set([self.brand(b) for b in row.get("brands", [])])
        obj.sale_orgs.set([self.org(o) for o in row.get("orgs", [])])
        obj.save()
        return obj

    def package(self, code):
        def make(row):
            return self._sold(
                Package(
                    code=row["code"], name=row["name"], family=row["family"], organisation=self.org("SX"),
                    monthly_fee=Decimal(row["monthly_fee"]), data_mb=row["data_mb"], voice_minutes=row["voice_minutes"],
                    sms_count=row["sms_count"], contract_months=row["contract_months"],
                    order_command=row["order_command"], cancel_command=row["cancel_command"],
                    valid_from=_date(row["valid_from"]), valid_to=_date(row["valid_to"]),
                    highlights=row["highlights"], description=row["description_html"],
                ),
                row,
            )

        return self._once("packages", code, make)

    def business(self, code):
        def make(row):
            return self._sold(
                Business(
                    code=row["code"], kind=row["kind"], name=row["name"], organisation=self.org("SX"),
                    monthly_fee=Decimal(row["monthly_fee"]), order_command=row["order_command"],
                    cancel_command=row["cancel_command"], description=row["description_html"],
                ),
                row,
            )

        return self._once("businesses", code, make)

    def template(self, code):
        def make(row):
            template = SmsTemplate(
                code=row["code"], category=row["category"], organisation=self.org(row["org"]), text=row["text"],
                parameters=row.get("parameters", []), commands=row.get("commands", []),
            )
            template.save()
            template.brands.set([self.brand(b) for b in row.get("brands", [])])
            template.save()
            return template

        return self._once("sms_templates", code, make)

    def article(self, code):
        def make(row):
            cover = self.image(row["cover_image"]) if row["cover_image"] in self.rows["images"] else None
            article = Article(
                code=row["code"], title=row["title"], author=row["author"], digest=row["digest"],
                organisation=self.org(row["org"]), cover_image=cover, body=self.body(row["body_html"]),
                channels=row["channels"],
            )
            article.save()
            article.related_packages.set([self.package(p) for p in row["related_packages"]])
            article.shared_to.set([self.org(o) for o in row["share_to"]])
            article.save()
            return article

        return self._once("articles", code, make)

    def bulk_articles(self, codes):
        """Many articles at once, without per-row signals (search and reference
        indexing): for benchmarks over the full export."""
        rows = [self.rows["articles"][code] for code in codes]
        articles = []
        for row in rows:
            cover = self.image(row["cover_image"]) if row["cover_image"] in self.rows["images"] else None
            articles.append(
                Article(
                    code=row["code"], title=row["title"], author=row["author"], digest=row["digest"],
                    organisation=self.org(row["org"]), cover_image=cover, body=self.body(row["body_html"]),
                    channels=row["channels"],
                )
            )
        Article.objects.bulk_create(articles, batch_size=500)
        by_code = {a.code: a for a in Article.objects.filter(code__in=codes)}
        packages = Article.related_packages.through
        shared = Article.shared_to.through
        packages.objects.bulk_create(
            [packages(article=by_code[r["code"]], package=self.package(p)) for r in rows for p in r["related_packages"]],
            batch_size=1000,
        )
        shared.objects.bulk_create(
            [shared(article=by_code[r["code"]], organisation=self.org(o)) for r in rows for o in r["share_to"]],
            batch_size=1000,
        )
        for code, article in by_code.items():
            self._made["articles", code] = article
        return [by_code[code] for code in codes]

    def body(self, html):
        """Legacy ``<img data-image="IMG..">`` references as the importer stores them: Wagtail
        image embeds, block-level for an image alone in its paragraph, in place for an image
        inside text (the admin's editor takes embeds, not bare ``<img>``). A reference to an
        image the export lacks stays as it is. (The renderers also resolve a ``data-image``
        img by code: tests build such a body themselves.)"""

        def embed(match):
            code = match.group(1)
            if code not in self.rows["images"]:
                return match.group(0)
            alt = ALT.search(match.group(0))
            alt_attr = f' alt="{alt.group(1)}"' if alt else ""
            return f'<embed{alt_attr} embedtype="image" format="fullwidth" id="{self.image(code).pk}"/>'

        return INLINE_IMG.sub(embed, LEGACY_IMG.sub(embed, html))


def _date(value):
    return date.fromisoformat(value) if value else None


def load_references(export):
    """Organisations, brands, channel accounts, (published) SMS templates and the offers
    of the families the navigation's shelves list."""
    orgs = {}
    for record in export["organisations"]:
        orgs[record["code"]], _ = Organisation.objects.get_or_create(
            code=record["code"],
            defaults={"name": record["name"], "level": record["level"], "parent": orgs.get(record["parent"])},
        )
    for record in export["brands"]:
        Brand.objects.get_or_create(code=record["code"], defaults={"name": record["name"]})
    for record in export["channel_accounts"]:
        extra = {k: record[k] for k in ACCOUNT_FIELDS if k in record}
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
    _load_shelved_offers(export, orgs)
    return orgs


def _shelves(nodes):
    for node in nodes:
        if node.get("type") == "shelf":
            yield node.get("shelf_kind"), node.get("family")
        yield from _shelves(node.get("children") or [])


def _load_shelved_offers(export, orgs):
    """The live packages and businesses of the families the navigation's shelves name
    (a shelf of a family with no offer is refused), owned by the province."""
    shelved = {shelf for menu in export["menus"] for shelf in _shelves(menu.get("nodes") or [])}
    rows = {
        Package: [p for p in export["packages"] if ("package", p["family"]) in shelved],
        Business: [b for b in export["businesses"] if ("business", b["kind"]) in shelved],
    }
    for model, records in rows.items():
        existing = set(model.objects.values_list("code", flat=True))
        family = "family" if model is Package else "kind"
        model.objects.bulk_create([
            model(code=r["code"], name=r["name"], organisation=orgs["SX"], monthly_fee=Decimal(r["monthly_fee"]),
                  order_command=r["order_command"], cancel_command=r["cancel_command"], channels=r.get("channels") or [],
                  live=True, **{family: r[family]})
            for r in records if r["code"] not in existing
        ])
