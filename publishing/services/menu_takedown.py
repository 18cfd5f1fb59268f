"""A WeChat menu that left live (unpublished, expired, rolled back): every official
account it served converges on what serves it now. An account another live menu
serves (the base under an unpublished brand variant, a menu rolled out to it) gets
that menu's live version pushed; an account left with no menu gets its menu deleted
(menu/delete), so followers never keep buttons the CMS took down."""

from content.models import ChannelAccount
from publishing.models import PublishBatch

from .articles import open_client
from .runner import Finished

Kind = PublishBatch.Kind


def _menu_now(account):
    """The live version of the menu that serves ``account`` now, or None."""
    from menus.rollout import source_of
    from menus.services import live_version

    source = source_of(account.pk)
    if source.menu is None or not source.menu.live:
        return None
    return live_version(source.menu)


def take_down_menu(menu, *, user=None, origin=PublishBatch.Origin.EDITOR):
    """Batches that bring the accounts ``menu`` served to what serves them now: one
    push per version still serving some of them, one takedown for the rest."""
    from menus.rollout import served_accounts

    from .batches import create_batch, publish_menu_version

    if menu.live:
        return []
    accounts = [a for a in served_accounts(menu) if a.type == ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT]
    by_version, bare = {}, []
    for account in accounts:
        version = _menu_now(account)
        if version is None:
            bare.append(account)
        else:
            by_version.setdefault(version.pk, (version, []))[1].append(account)
    batches = [
        publish_menu_version(version, accounts=served, user=user, origin=origin)
        for version, served in by_version.values()
    ]
    if bare:
        batches.append(create_batch(menu, Kind.MENU, bare, user=user, action=PublishBatch.Action.UNPUBLISH,
                                    code=menu.code, label=f"下线菜单 {menu.name}", origin=origin))
    return [batch for batch in batches if batch is not None]


def delete_account_menu(pub):
    """The WeChat step of a menu takedown: the account's menus deleted (WeChat deletes
    the default and every personalised menu in one call; deleting none is no error)."""
    with open_client(pub.account) as client:
        client.delete_menu()
    return Finished()
