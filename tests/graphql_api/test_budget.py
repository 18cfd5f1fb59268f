"""The time budget's statement timeout (api.budget) stays on a connection between API
requests and is given back by ``release``; outside an API request (a Celery task: the
bundle builds of webhook deliveries read through ``one_transaction``) it does nothing."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from api import budget

pytestmark = pytest.mark.django_db(transaction=True)


def statement_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


@override_settings(GRAPHQL_STATEMENT_TIMEOUT_MS=1500)
def test_a_budgeted_read_leaves_its_timeout_until_released():
    with budget.spending():
        assert statement_timeout() == "1500ms"
    assert statement_timeout() == "1500ms"  # for the next API request on the connection
    budget.release()
    assert statement_timeout() == "0"


def test_outside_an_api_request_the_budget_changes_nothing():
    # what a worker's bundle build does (publishing.changes.services.read_consistently)
    budget.one_transaction()
    assert not connection.in_atomic_block and budget.deadline() is None
    assert statement_timeout() == "0" and getattr(connection, budget.HELD, None) is None


def test_only_the_api_view_runs_under_the_budget():
    """Workers never see request_started, so nothing would give a worker's connection its
    timeout back: were a task to run GraphQL under the budget, it would need a release on
    Celery's task_prerun."""
    root = Path(settings.BASE_DIR)
    packages = [d for d in root.iterdir() if (d / "__init__.py").exists() and d.name != "tests"]
    entering = sorted(
        str(path.relative_to(root)) for package in packages for path in package.rglob("*.py")
        if "spending()" in path.read_text(encoding="utf-8") and path != root / "api" / "budget.py"
    )
    assert entering == ["cms/graphql_view.py"]
