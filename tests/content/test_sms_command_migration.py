"""The brand migration keeps every existing command binding, as the default reply."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from content.models import SmsCommand
from content.services.sms_commands import resolve
from tests.support.factories import SmsAccountFactory, SmsTemplateFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _brand_migration(executor):
    [key] = [
        k
        for k in executor.loader.graph.nodes
        if k[0] == "content" and k[1].endswith("_sms_command_brand")
    ]
    [before] = [
        p for p in executor.loader.graph.node_map[key].parents if p.key[0] == "content"
    ]
    return key, before.key


def test_bindings_made_before_brands_answer_every_brand_as_the_default(matrix):
    # given a published template and the schema as it was before brands
    hall = SmsAccountFactory(code="sms-sx-01", organisation=matrix["branch1"])
    template = SmsTemplateFactory(
        code="TC-OLD",
        organisation=matrix["branch1"],
        parameters=[],
        text="套餐查询结果。",
        published=True,
    )
    executor = MigrationExecutor(connection)
    _latest, before = _brand_migration(executor)
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps.get_model(
        "content", "SmsCommand"
    )
    old.objects.create(account_id=hall.pk, command="CXTC", template_id=template.pk)
    # when
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    # then the binding is kept, without a brand: it answers every caller
    binding = SmsCommand.objects.get(account=hall, command="CXTC")
    assert binding.brand_id is None and binding.template_id == template.pk
    assert resolve(hall, "CXTC", "gotone") == template
    assert resolve(hall, "CXTC", None) == template
