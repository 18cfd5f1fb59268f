"""Shared fixtures: the organisation matrix and users of each role. Helpers and
factories live in tests/support/; its fixture modules are registered here."""

import pytest

from content import roles
from content.models import Brand
from tests.support.factories import (
    ChannelAccountFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.support.users import make_editor

pytest_plugins = ["tests.support.browser", "tests.support.emulator", "tests.support.flush"]


@pytest.fixture(autouse=True)
def _jobs_in_process(monkeypatch):
    """Eager jobs run in the test process in due order (tests/jobs_in_process.py)."""
    from publishing.services import dispatch
    from tests import jobs_in_process

    monkeypatch.setattr(dispatch, "send_many", jobs_in_process.send_many)


@pytest.fixture(autouse=True)
def _api_statement_timeout_given_back():
    """The statement timeout an API request leaves on the connection (api.budget) is
    given back after the test, as the next request to another path would: the test
    database's teardown runs on that connection (torn down before pytest-django's)."""
    from api import budget

    yield
    budget.release()


@pytest.fixture(autouse=True)
def _callback_log_rows_dropped():
    """Message-log rows a test's callbacks batched (callback.logbook) never reach the database
    in a later test, nor at exit, after the test database is gone."""
    from callback.logbook import logbook

    yield
    with logbook._lock:
        logbook._rows.clear()


@pytest.fixture
def matrix(db):
    """Province SX with branches SX-01 (one outlet) and SX-02, brands, an account each."""
    province = OrganisationFactory(code="SX", name="陕西省公司", level="province", parent=None)
    branch1 = OrganisationFactory(code="SX-01", name="西安分公司", level="branch", parent=province)
    branch2 = OrganisationFactory(code="SX-02", name="宝鸡分公司", level="branch", parent=province)
    outlet = OrganisationFactory(code="SX-01-01", name="钟楼营业厅", level="outlet", parent=branch1)
    for code, name in [("gotone", "全球通"), ("mzone", "动感地带"), ("easyown", "神州行")]:
        Brand.objects.get_or_create(code=code, defaults={"name": name})
    return {
        "province": province,
        "branch1": branch1,
        "branch2": branch2,
        "outlet": outlet,
        "account_province": ChannelAccountFactory(code="wx-sx", organisation=province),
        "account_branch1": ChannelAccountFactory(code="wx-sx-01", organisation=branch1),
        "account_branch2": ChannelAccountFactory(code="wx-sx-02", organisation=branch2),
    }


@pytest.fixture
def branch_editor(matrix):
    return make_editor("editor-sx01", matrix["branch1"])


@pytest.fixture
def branch_publisher(matrix):
    return make_editor("publisher-sx01", matrix["branch1"], roles.PUBLISHERS)


@pytest.fixture
def sibling_editor(matrix):
    return make_editor("editor-sx02", matrix["branch2"])


@pytest.fixture
def province_editor(matrix):
    return make_editor("editor-sx", matrix["province"])


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)
