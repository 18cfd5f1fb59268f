"""What an account is served changes without a new menu version of its own.

- A WeChat menu left live (unpublished, expired, rolled back): every official account
  it served converges on what serves it now. An account another live menu serves (the
  base under an unpublished brand variant, a menu rolled out to it) gets that menu's
  live version pushed; an account left with no menu gets its menu deleted
  (menu/delete), so followers never keep buttons the CMS took down.
- An account's menu variable changed (``{hall_url}``): its menu is recorded in the
  change log again (front ends and webhooks re-read it) and pushed to it again."""

from content import kinds
from content.models import ChannelAccount
from publishing.models import PublishBatch

from .articles import open_client
from .runner import Finished

Kind = PublishBatch.Kind


def menu_now(account):
    """The live version of the menu that serves ``account`` now (the menu rolled out
    to it, else its own base menu, menus.rollout), or None: what its push should show."""
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
        version = menu_now(account)
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


def serve_menu_again(account_id):
    """After a variable of the account changed: the change row for the menu it is
    served (every account that menu serves re-reads it), and the push of that menu
    to the account when it is an official account; the push batch or None."""
    from menus.rollout import served_accounts, source_of
    from publishing.changes import services as changes

    from .batches import publish_menu_version

    account = ChannelAccount.objects.filter(pk=account_id).first()
    menu = source_of(account_id).menu if account is not None else None
    if menu is None or not menu.live:
        return None
    served = {menu.account_id, *(a.pk for a in served_accounts(menu))}
    changes.record_menu_served(kinds.get(kinds.Kind.MENU).item_code(menu), menu.pk, served)
    version = menu_now(account)
    if version is None or account.type != ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT:
        return None
    return publish_menu_version(version, accounts=[account])
