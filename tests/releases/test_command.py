"""``manage.py release``: create, add, show (exit 1 on violations), publish (now or
--at, a past time refused), rollback; errors name the item and the field."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from content.models import Package
from releases.models import Release

from .conftest import committed

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def run(*args):
    from io import StringIO

    out = StringIO()
    with committed():
        call_command("release", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(
    transaction=True
)  # --wait watches jobs that run as each step commits
def test_an_operator_scripts_a_go_live_and_its_rollback(
    matrix, tariff, sms_endpoint, webhook_receiver
):
    run("create", "R-CMD", "--title", "五月资费调整", "--organisation", "SX-01")
    out = run(
        "add",
        "R-CMD",
        "package:PKG-5G-58",
        "sms_template:SMS-5G-58",
        "sms_template:SMS-5G-58-KT",
    )
    assert "package:PKG-5G-58" in out and "共 3 项" in out
    shown = run("show", "R-CMD")
    assert (
        "sms-sx-01" in shown
        and "修改 sms_template:SMS-5G-58" in shown
        and "没有问题" in shown
    )
    out = run("publish", "R-CMD", "--wait", "--timeout", "60")
    release = Release.objects.get(code="R-CMD")
    assert release.state == Release.State.LIVE and "失败 0 个" in out
    assert Package.objects.get(code="PKG-5G-58").name == "5G畅享套餐(新资费)"
    out = run("rollback", "R-CMD", "--wait", "--timeout", "60")
    assert Release.objects.get(code="R-CMD").state == Release.State.ROLLED_BACK
    assert Package.objects.get(code="PKG-5G-58").name != "5G畅享套餐(新资费)"


def test_show_exits_1_and_names_the_item_and_field_of_each_violation(matrix, tariff):
    run("create", "R-BAD", "--title", "有问题的计划", "--organisation", "SX-01")
    package = Package.objects.get(code="PKG-5G-58")
    package.monthly_fee = -5
    package.save_revision(clean=False)
    run("add", "R-BAD", "package:PKG-5G-58")
    with pytest.raises(SystemExit) as exited:
        run("show", "R-BAD")
    assert exited.value.code == 1
    with pytest.raises(CommandError) as refused:
        run("publish", "R-BAD")
    assert "package:PKG-5G-58" in str(refused.value) and "monthly_fee" in str(
        refused.value
    )
    assert Release.objects.get(code="R-BAD").state == Release.State.OPEN


def test_publish_at_a_past_time_is_refused_and_a_future_one_is_scheduled(
    matrix, tariff
):
    run("create", "R-AT", "--title", "定时计划", "--organisation", "SX-01")
    run("add", "R-AT", "package:PKG-5G-58")
    past = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    with pytest.raises(CommandError) as refused:
        run("publish", "R-AT", "--at", past)
    assert "go_live_at" in str(refused.value)
    future = (timezone.now() + datetime.timedelta(hours=1)).isoformat()
    assert "已排期" in run("publish", "R-AT", "--at", future)
    release = Release.objects.get(code="R-AT")
    assert release.approved_schedule and release.state == Release.State.OPEN


def test_errors_name_what_is_wrong(matrix, tariff):
    with pytest.raises(CommandError, match="未知的上线计划"):
        run("show", "R-NONE")
    run("create", "R-ERR", "--title", "计划", "--organisation", "SX-01")
    with pytest.raises(CommandError, match="code: 上线计划 R-ERR 已存在"):
        run("create", "R-ERR", "--title", "计划")
    with pytest.raises(CommandError, match="menu:MISSING"):
        run("add", "R-ERR", "menu:MISSING")
    with pytest.raises(CommandError, match="at: 无法识别的时间"):
        run("publish", "R-ERR", "--at", "tomorrow")
    with pytest.raises(CommandError, match="只能回滚已上线的计划"):
        run("rollback", "R-ERR")
