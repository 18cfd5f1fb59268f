"""A published menu to a WeChat official account, with no moment where a follower
sees no menu: the base tree replaces the default menu in one call (menu/create,
never menu/delete first), and each brand variant is added as a conditional menu on
the brand's follower tag (menu/addconditional) before the conditional menus this
platform published earlier are deleted (menu/delconditional).

Each step's success is stored in ``Publication.remote`` before the next, and the
account's live menus are read on every run, so a run after a lost answer, a busy
answer or a killed worker reuses what already landed instead of adding it twice."""

from django.core.exceptions import ValidationError

from content.models import Article, ChannelAccount
from publishing.models import Publication, PublishBatch, State
from renditions.images import wechat_cover
from wechat.calls.menus import plain_buttons
from wechat.limits import TAG_NAME_MAX_BYTES

from .articles import open_client
from .ledger import live_article_id
from .menu_buttons import Targets, account_plan, article_nodes, menu_plan, wechat_menus
from .runner import Finished, Refused, Waiting, checkpoint, reach

Step = Publication.Step
# How long a menu waits for the article publications it started before looking again.
ARTICLE_WAIT_SECONDS = 2.0


def tag_name(brand):
    """The follower tag's name at WeChat: the brand's name, or its code when the name
    is over WeChat's 30 bytes."""
    return brand.name if len(brand.name.encode()) <= TAG_NAME_MAX_BYTES else brand.code[:TAG_NAME_MAX_BYTES]


def follower_tag(account, brand, client):
    """The id of the brand's follower tag on the account: stored, or found or created
    at WeChat once and stored."""
    from menus.models import FollowerTag

    stored = FollowerTag.objects.filter(account=account, brand=brand).values_list("tag_id", flat=True).first()
    if stored is not None:
        return stored
    name = tag_name(brand)
    tag_id = client.ensure_tag(name)
    tag, _ = FollowerTag.objects.get_or_create(account=account, brand=brand, defaults={"tag_id": tag_id, "name": name})
    return tag.tag_id


def platform_menuids(account, exclude=None):
    """Conditional menuids this platform added to the account (any menu publication)."""
    found = set()
    pubs = Publication.objects.filter(account=account, batch__kind=PublishBatch.Kind.MENU)
    if exclude is not None:
        pubs = pubs.exclude(pk=exclude)
    for remote in pubs.values_list("remote", flat=True):
        found.update(str(m) for m in (remote or {}).get("conditional", {}).values())
    return found


def _start_article(code, key, account, origin):
    """Publish the article a node points at to this account; the publication's pk."""
    article = Article.objects.filter(code=code).first()
    if article is None or not article.live:
        raise Refused(f"菜单节点 {key} 引用的图文 {code} 不存在或尚未发布", "menu_article")
    try:
        batch = publish_item_for_menu(article, account, origin)
    except ValidationError as exc:
        raise Refused(f"菜单节点 {key} 引用的图文 {code} 不能发布到公众号 {account.code}:"
                      f"{'; '.join(exc.messages)}", "menu_article") from None
    pub = batch.publications.filter(account=account, channel=Publication.Channel.WECHAT).first() if batch else None
    if pub is None:
        raise Refused(f"菜单节点 {key} 引用的图文 {code} 不能发布到公众号 {account.code}", "menu_article")
    return pub.pk


def publish_item_for_menu(article, account, origin):
    from .batches import publish_item

    return publish_item(article, accounts=[account], origin=origin)


def _article_ids(pub, plan, remote):
    """{code: article_id} of the article nodes; None while articles this menu needs are
    still being published to the account (started here, once)."""
    ids, missing = {}, {}
    for code, key in article_nodes(plan, "article_id").items():
        ids[code] = live_article_id(code, pub.account)
        if not ids[code]:
            missing[code] = key
    if not missing:
        return ids
    awaiting = remote.setdefault("awaiting_articles", {})
    for code, key in missing.items():
        if code not in awaiting:
            awaiting[code] = _start_article(code, key, pub.account, pub.batch.origin)
            continue
        state, error = Publication.objects.filter(pk=awaiting[code]).values_list("state", "last_error").first() or (
            State.FAILED, "")
        if state in (State.FAILED, State.CANCELLED):
            raise Refused(f"菜单节点 {key} 引用的图文 {code} 未能发布到公众号 {pub.account.code}:{error}",
                          "menu_article")
    checkpoint(pub, remote=remote)
    return None


def _material_ids(plan, client):
    """{code: media_id} of the article covers that media_id nodes send, uploaded once
    as permanent images."""
    ids = {}
    for code, key in article_nodes(plan, "media_id").items():
        article = Article.objects.filter(code=code).first()
        cover = wechat_cover(article) if article is not None else None
        if cover is None:
            raise Refused(f"菜单节点 {key} 的图文 {code} 没有封面图,不能作为素材菜单发送", "menu_material")
        with cover.file.open("rb") as handle:
            ids[code] = client.add_cover(handle.read()).media_id
    return ids


def _same(live, menu):
    same_rule = live["matchrule"].get("tag_id") == menu["matchrule"]["tag_id"]
    return same_rule and live["button"] == plain_buttons(menu["button"])


def publish_menu(pub):
    """The WeChat steps of a menu publication, resumed after the last stored step."""
    account = pub.account
    if account.type != ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT:
        raise Refused(f"{account.code} 不是微信公众号", "account")
    plan = account_plan(menu_plan(pub.batch.source()), account)
    remote = dict(pub.remote)
    article_ids = _article_ids(pub, plan, remote)
    if article_ids is None:
        return Waiting(ARTICLE_WAIT_SECONDS)
    with open_client(account) as client:
        targets = Targets(article_ids, _material_ids(plan, client))
        tag_ids = {brand.pk: follower_tag(account, brand, client) for brand, _ in plan.variants}
        default, conditionals = wechat_menus(plan, targets, tag_ids)
        reach(pub, Step.MENU_CONDITIONAL)
        live = client.live_menus()["conditionalmenu"]
        if "replaced" not in remote:
            ours = platform_menuids(account, exclude=pub.pk)
            remote["replaced"] = [m["menuid"] for m in live if m["menuid"] in ours]
            # What the account should show once done: the drift check compares with it.
            remote["sent"] = {"menu": default["button"],
                              "conditional": {m["matchrule"]["tag_id"]: m["button"] for m in conditionals}}
            checkpoint(pub, remote=remote)
        if not remote.get("created"):
            reach(pub, Step.MENU_CREATE)
            client.create_menu(default)
            remote["created"] = True
            checkpoint(pub, remote=remote)
        menuids = remote.setdefault("conditional", {})
        for menu in conditionals:
            tag = menu["matchrule"]["tag_id"]
            if tag in menuids:
                continue
            reach(pub, Step.MENU_CONDITIONAL)
            # An identical menu already live (unchanged variant, or added by a run whose
            # answer was lost) is kept rather than added twice.
            same = next((m for m in live if _same(m, menu)), None)
            menuids[tag] = same["menuid"] if same else client.add_conditional_menu(menu)
            checkpoint(pub, remote=remote)
        deleted = remote.setdefault("deleted", [])
        kept = set(menuids.values())
        for menuid in remote["replaced"]:
            if menuid in kept or menuid in deleted:
                continue
            reach(pub, Step.MENU_DELETE)
            client.delete_conditional_menu(menuid)
            deleted.append(menuid)
            checkpoint(pub, remote=remote)
    return Finished()
