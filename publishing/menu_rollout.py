"""Admin of menu rollout (菜单下发): choose the official accounts a base menu is the
menu of (only accounts the editor manages, menus.rollout), see each account's
effective menu with its variables and the difference from what it shows now, and
push the menu to every chosen account as one tracked batch on the dashboard."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from content.models import ChannelAccount
from content.permissions import can_view
from menus import rollout
from menus.account_checks import rollout_violations
from menus.diff import diff_trees
from menus.services import live_version
from menus.validation import MenuValidationError
from menus.views.access import menu_for, menu_policy
from menus.views.versions import KIND_LABELS
from publishing.drift.menus import latest_push
from publishing.services import publish_menu_version

MAX_MESSAGES = 20


def _rollout_menu(request, pk):
    menu = menu_for(request, pk, "publish")
    if (
        menu.is_variant
        or menu.account.type != ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT
    ):
        raise Http404
    return menu


@require_http_methods(["GET", "POST"])
def menu_rollout(request, pk):
    """GET: the accounts to choose from, each with where its menu comes from now;
    POST: store the choice and push the live version to every chosen account."""
    menu = _rollout_menu(request, pk)
    version = live_version(menu)
    if request.method == "POST":
        pushed = _choose_and_push(request, menu, version)
        if pushed is not None:
            return redirect("publishing:batch", pk=pushed.pk)
    candidates = rollout.candidates(menu, request.user)
    chosen = {account.pk for account in rollout.chosen(menu)}
    if request.method == "POST":
        chosen = {int(pk) for pk in request.POST.getlist("accounts") if pk.isdigit()}
    rows = [
        {
            "account": account,
            "chosen": account.pk in chosen,
            "source": rollout.source_of(account.pk),
        }
        for account in candidates
    ]
    return TemplateResponse(
        request,
        "publishing/admin/menu_rollout.html",
        {
            "menu": menu,
            "version": version,
            "rows": rows,
            "page_title": f"菜单下发:{menu.name}",
            "header_icon": "upload",
        },
    )


def _choose_and_push(request, menu, version):
    ids = [pk for pk in request.POST.getlist("accounts") if pk.isdigit()]
    accounts = list(ChannelAccount.objects.filter(pk__in=ids).order_by("code"))
    try:
        with transaction.atomic():
            added, removed = rollout.choose(menu, accounts, request.user)
            batch = (
                publish_menu_version(
                    version, accounts=rollout.chosen(menu), user=request.user
                )
                if accounts
                else None
            )
            for account in removed:
                _push_own_menu(account, request.user)
    except MenuValidationError as error:
        messages.error(request, f"未下发:{len(error.errors)} 处不符合微信菜单规则")
        for problem in error.errors[:MAX_MESSAGES]:
            messages.error(request, str(problem))
        return None
    except (ValidationError, PermissionDenied) as error:
        for problem in getattr(error, "messages", None) or [str(error)]:
            messages.error(request, problem)
        return None
    if batch is None:
        messages.success(
            request,
            f"已取消下发到 {len(removed)} 个账号" if removed else "没有选择账号",
        )
        return None
    messages.success(
        request,
        f"已下发到 {len(accounts)} 个账号(新增 {len(added)},取消 {len(removed)}),推送批次 #{batch.pk}",
    )
    return batch


def _push_own_menu(account, user):
    """An account no longer chosen shows its own menu again, when it has a live one."""
    own = rollout.source_of(account.pk).menu
    version = live_version(own) if own is not None and own.live else None
    if version is not None:
        publish_menu_version(version, accounts=[account], user=user)


def account_menu(request, pk, account_pk):
    """One account's menu as rolling out ``pk`` serves it (its variables substituted),
    its violations, and the difference from what the account shows now."""
    menu = _rollout_menu(request, pk)
    account = next(
        (a for a in rollout.candidates(menu, request.user) if a.pk == account_pk), None
    )
    version = live_version(menu)
    if account is None or version is None:
        raise Http404
    source = rollout.source_of(account.pk)
    after = rollout.served_tree(version, account)
    before, baseline = _baseline(account, source, menu)
    diff = diff_trees(before, after)
    return TemplateResponse(
        request,
        "publishing/admin/account_menu.html",
        {
            "menu": menu,
            "version": version,
            "account": account,
            "source": source,
            "tree": after,
            "violations": rollout_violations(version, [account]),
            "baseline": baseline,
            "diff": [{"label": KIND_LABELS[c.kind], **c.as_dict()} for c in diff],
            "counts": {KIND_LABELS[k]: n for k, n in diff.counts.items() if n},
            "page_title": f"{account.name} 的菜单",
            "header_icon": "list-ul",
        },
    )


def effective_menu(request, account_pk):
    """An official account's effective menu (its own, or the one rolled out to it,
    with its values) for anyone who may read the account's menus, and its difference
    from what was last pushed to WeChat."""
    account = (
        ChannelAccount.objects.select_related("organisation")
        .filter(pk=account_pk)
        .first()
    )
    if (
        account is None
        or account.type != ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT
        or not can_view(request.user, account)
    ):
        raise Http404
    if not menu_policy().user_has_permission(request.user, "view"):
        raise PermissionDenied
    source, tree = rollout.effective_tree(account.pk)
    version = (
        live_version(source.menu)
        if source.menu is not None and source.menu.live
        else None
    )
    before, baseline = _last_pushed(account)
    diff = diff_trees(before, tree)
    return TemplateResponse(
        request,
        "publishing/admin/effective_menu.html",
        {
            "account": account,
            "source": source,
            "version": version,
            "tree": tree,
            "baseline": baseline,
            "diff": [{"label": KIND_LABELS[c.kind], **c.as_dict()} for c in diff],
            "counts": {KIND_LABELS[k]: n for k, n in diff.counts.items() if n},
            "page_title": f"{account.name} 的菜单",
            "header_icon": "list-ul",
        },
    )


def _last_pushed(account):
    """(tree, label) of the base menu version last pushed to the account, with its values now."""
    push = latest_push(account)
    pushed = push.batch.source() if push is not None else None
    if pushed is not None and pushed.menu.is_variant:
        base = pushed.menu.base_menu()
        pushed = (
            base.versions.filter(created_at__lte=push.batch.created_at)
            .order_by("-number")
            .first()
            if base
            else None
        )
    if pushed is None:
        return [], "微信上的菜单(从未推送)"
    return rollout.served_tree(
        pushed, account
    ), f"最近推送的 {pushed.menu.code} v{pushed.number}"


def _baseline(account, source, menu):
    """(tree, label) the new menu is compared with: once the account is chosen, what
    was last pushed to it (with its variables now), else the menu it is served now."""
    if source.menu is not None and source.menu.pk == menu.pk:
        return _last_pushed(account)
    if source.menu is None:
        return [], "此账号目前没有菜单"
    tree = rollout.effective_tree(account.pk, source=source)[1]
    return tree, f"目前的菜单 {source.menu.code}"
