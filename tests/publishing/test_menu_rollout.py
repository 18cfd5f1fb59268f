"""Menu rollout through the WeChat emulator: the province menu pushed from the admin
to many official accounts as one batch (menu/create with each account's variables,
a conditional menu per brand variant on each account's own follower tag), a failed
account retried, and drift checked and repaired against the effective menu."""

import pytest
from django.test import Client

from content import roles
from content.models import Brand
from menus import rollout
from menus.models import FollowerTag, MenuRollout
from menus.services import live_version, publish
from publishing.drift.accounts import check_account, repair_account
from publishing.models import Publication, PublishBatch, State
from publishing.services import publish_menu_version, retry_publication
from tests.support.menus import make_menu, node
from tests.support.publishing import make_official_accounts
from tests.support.rollout import name_accounts, province_menu
from tests.support.users import make_editor

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def publisher(matrix):
    return make_editor("publisher-sx", matrix["province"], roles.PUBLISHERS)


@pytest.fixture
def province(matrix_accounts):
    return name_accounts([matrix_accounts["wx-sx"]])[0]


@pytest.fixture
def halls(matrix, wechat_emulator):
    """Twelve official accounts of branch SX-01 on the emulator."""
    accounts = make_official_accounts(
        matrix["branch1"], 12, wechat_emulator.base_url, prefix="wx-hall"
    )
    for n, account in enumerate(accounts):
        account.name = f"营业厅{n:02d}"
        account.save(update_fields=["name"])
    return name_accounts(accounts)


def admin(user):
    client = Client()
    client.force_login(user)
    return client


def held(emulator, account):
    return emulator.state.snapshot()["menus"][account.app_id]


def test_the_province_menu_reaches_many_accounts_from_the_admin_as_one_batch(
    province, halls, publisher, wechat_emulator, django_capture_on_commit_callbacks
):
    # given the province menu and its 动感地带 variant, published
    menu = province_menu(province)
    mzone = Brand.objects.get(code="mzone")
    publish(
        make_menu(
            province,
            [node("2", "专属客服", "click", event_key="MZ_{account_code}")],
            code="menu-sx-mz",
            brand=mzone,
        )
    )
    # when the publisher chooses the twelve halls and presses 保存并推送
    with django_capture_on_commit_callbacks(execute=True):
        response = admin(publisher).post(
            f"/admin/publishing/menus/{menu.pk}/rollout/",
            {"accounts": [a.pk for a in halls]},
        )
    # then one menu batch carried them all, each done, and the dashboard shows it
    batch = PublishBatch.objects.get(kind=PublishBatch.Kind.MENU)
    assert (
        response.status_code == 302
        and response["Location"] == f"/admin/publishing/batches/{batch.pk}/"
    )
    pubs = list(batch.publications.select_related("account").order_by("account__code"))
    assert [p.account.code for p in pubs] == [a.code for a in halls]
    assert {p.state for p in pubs} == {State.DONE}, [p.last_error for p in pubs]
    # and each account's WeChat menu carries its own name, hall URL and key
    for account in halls:
        menus = held(wechat_emulator, account)
        assert menus["menu"]["button"][0] == {
            "type": "view",
            "name": account.name,
            "url": f"https://{account.code}.example-operator.cn/home",
        }
        assert menus["menu"]["button"][1]["sub_button"] == [
            {"type": "click", "name": "客服", "key": f"SVC_{account.code}"}
        ]
        # and the brand's conditional menu on the account's own follower tag
        tag = FollowerTag.objects.get(account=account, brand=mzone)
        [conditional] = menus["conditional"]
        assert conditional["matchrule"]["tag_id"] == str(tag.tag_id)
        assert conditional["button"][1] == {
            "type": "click",
            "name": "专属客服",
            "key": f"MZ_{account.code}",
        }
        assert wechat_emulator.state.calls[account.app_id]["menu/create"] == 1
    # and the batch page lists each account's result
    page = admin(publisher).get(response["Location"]).content.decode()
    assert all(account.code in page for account in halls)


def test_an_account_whose_push_failed_is_retried_to_the_rolled_out_menu(
    province, halls, publisher, wechat_emulator, django_capture_on_commit_callbacks
):
    menu = province_menu(province)
    rollout.choose(menu, halls[:3], publisher)
    # given WeChat refuses the second hall's menu once
    wechat_emulator.state.script(
        endpoint="menu/create", appid=halls[1].app_id, errcode=40018
    )
    with django_capture_on_commit_callbacks(execute=True):
        batch = publish_menu_version(live_version(menu), accounts=rollout.chosen(menu))
    failed = batch.publications.get(account=halls[1])
    assert failed.state == State.FAILED and failed.last_error
    assert {p.state for p in batch.publications.exclude(pk=failed.pk)} == {State.DONE}
    # when the publisher retries it
    with django_capture_on_commit_callbacks(execute=True):
        retry_publication(failed, publisher)
    # then it shows the menu with its own values
    failed.refresh_from_db()
    assert failed.state == State.DONE, failed.last_error
    assert held(wechat_emulator, halls[1])["menu"]["button"][0]["name"] == halls[1].name


def test_drift_compares_an_account_with_the_menu_rolled_out_to_it_and_repair_pushes_it(
    province, halls, publisher, wechat_emulator, django_capture_on_commit_callbacks
):
    hall = halls[0]
    own = make_menu(
        hall, [node("1", "本厅", "click", event_key="OWN")], code="menu-own"
    )
    with django_capture_on_commit_callbacks(execute=True):
        publish(own)
    assert held(wechat_emulator, hall)["menu"]["button"][0]["name"] == "本厅"
    assert not [f for f in check_account(hall).findings if f.area == "menu"]
    # given the province menu is chosen for the hall but not pushed yet
    menu = province_menu(province)
    rollout.choose(menu, [hall], publisher)
    # then the check says the account's menu is now the province's
    findings = [f for f in check_account(hall).findings if f.area == "menu"]
    assert [f.what for f in findings] == ["此账号的菜单现为 menu-sx,尚未推送"]
    # when repaired, the province menu with the hall's values is pushed, and the next check is clean
    with django_capture_on_commit_callbacks(execute=True):
        assert repair_account(hall, findings, user=publisher) == [
            f"菜单 menu-sx v{live_version(menu).number}"
        ]
    assert held(wechat_emulator, hall)["menu"]["button"][0]["name"] == hall.name
    assert not [f for f in check_account(hall).findings if f.area == "menu"]


def test_publishing_the_province_menu_pushes_every_chosen_account_in_one_batch(
    province, halls, publisher, wechat_emulator, django_capture_on_commit_callbacks
):
    menu = province_menu(province)
    rollout.choose(menu, halls[:4], publisher)
    with django_capture_on_commit_callbacks(execute=True):
        publish(menu)
    batch = PublishBatch.objects.filter(kind=PublishBatch.Kind.MENU).latest("pk")
    assert sorted(batch.publications.values_list("account__code", flat=True)) == sorted(
        [province.code, *(a.code for a in halls[:4])]
    )
    assert set(batch.publications.values_list("state", flat=True)) == {State.DONE}


def test_a_branch_publisher_cannot_roll_out_to_a_sibling_branchs_account_from_the_admin(
    matrix, province, halls, wechat_emulator, django_capture_on_commit_callbacks
):
    from tests.support.factories import ChannelAccountFactory

    branch_publisher = make_editor(
        "publisher-sx01", matrix["branch1"], roles.PUBLISHERS
    )
    sibling = name_accounts(
        [
            ChannelAccountFactory(
                code="wx-bj-hall", name="宝鸡厅", organisation=matrix["branch2"]
            )
        ]
    )[0]
    branch_menu = province_menu(halls[0], code="menu-hall")
    client = admin(branch_publisher)
    # the province menu and the sibling's account are out of reach
    assert (
        client.get(
            f"/admin/publishing/menus/{province_menu(province).pk}/rollout/"
        ).status_code
        == 404
    )
    page = client.get(
        f"/admin/publishing/menus/{branch_menu.pk}/rollout/"
    ).content.decode()
    assert halls[1].code in page and sibling.code not in page
    assert (
        client.get(
            f"/admin/publishing/menus/{branch_menu.pk}/rollout/{sibling.pk}/"
        ).status_code
        == 404
    )
    # when the form is posted with the sibling's account anyway, nothing is stored or pushed
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/publishing/menus/{branch_menu.pk}/rollout/",
            {"accounts": [halls[1].pk, sibling.pk]},
        )
    assert response.status_code == 200
    assert "不能将菜单 menu-hall 下发到这些账号:wx-bj-hall" in response.content.decode()
    assert not MenuRollout.objects.exists()
    assert not Publication.objects.exists()


def test_the_publish_command_pushes_a_menu_only_to_accounts_it_is_the_menu_of(
    province, halls, publisher
):
    from django.core.management import CommandError, call_command

    menu = province_menu(province)
    # an account the CMS shows another menu for is refused, naming it
    with pytest.raises(CommandError, match=f"不是这些账号的菜单:{halls[0].code}"):
        call_command("publish", "menu", menu.code, "--account", halls[0].code)
    assert not PublishBatch.objects.exists()
    # once chosen in the admin, the command pushes it there
    rollout.choose(menu, [halls[0]], publisher)
    call_command("publish", "menu", menu.code, "--account", halls[0].code)
    assert list(
        PublishBatch.objects.get().publications.values_list("account__code", flat=True)
    ) == [halls[0].code]


def test_a_branch_editor_sees_their_accounts_effective_menu_and_what_wechat_lacks(
    matrix,
    province,
    halls,
    publisher,
    wechat_emulator,
    django_capture_on_commit_callbacks,
):
    hall = halls[0]
    own = make_menu(
        hall, [node("1", "本厅", "click", event_key="OWN")], code="menu-own"
    )
    with django_capture_on_commit_callbacks(execute=True):
        publish(own)
    menu = province_menu(province)
    rollout.choose(menu, [hall], publisher)
    editor = admin(make_editor("editor-sx01", matrix["branch1"]))
    # when the branch editor opens the account's effective menu before the push
    page = editor.get(f"/admin/publishing/menus/accounts/{hall.pk}/").content.decode()
    # then it is the province menu with the hall's values, and the diff from WeChat's shows the change
    assert (
        "menu-sx(下发自 陕西省公司)" in page
        and f"{hall.name} → https://{hall.code}.example-operator.cn/home" in page
    )
    assert "与最近推送的 menu-own v1相比" in page and 'data-kind="removed"' in page
    # and the hall's own menu says it is not what the account is pushed
    assert (
        "此账号现以下发的菜单 menu-sx"
        in editor.get(f"/admin/menus/{own.pk}/tree/").content.decode()
    )
    # once pushed, nothing differs
    with django_capture_on_commit_callbacks(execute=True):
        publish_menu_version(live_version(menu), accounts=[hall])
    page = editor.get(f"/admin/publishing/menus/accounts/{hall.pk}/").content.decode()
    assert "与最近推送的 menu-sx v1相比:没有差异" in page
    # a sibling branch's editor cannot open it
    sibling = admin(make_editor("editor-sx02", matrix["branch2"]))
    assert sibling.get(f"/admin/publishing/menus/accounts/{hall.pk}/").status_code == 404
