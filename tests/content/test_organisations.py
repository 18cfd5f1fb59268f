import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from content.errors import record_errors
from content.models import Organisation
from content.services.organisations import save_organisation


def test_outlet_whose_parent_is_not_a_branch_is_refused_naming_parent(matrix):
    # given an outlet placed directly under the province
    outlet = Organisation(code="SX-99", name="错位营业厅", level="outlet", parent=matrix["province"])
    # when / then
    with pytest.raises(ValidationError) as exc:
        save_organisation(outlet)
    errors = record_errors("SX-99", exc.value)
    assert [(e.record, e.field) for e in errors] == [("SX-99", "parent")]
    assert not Organisation.objects.filter(code="SX-99").exists()


def test_province_with_a_parent_is_refused(matrix):
    org = Organisation(code="XX", name="另一个省", level="province", parent=matrix["province"])
    with pytest.raises(ValidationError) as exc:
        save_organisation(org)
    assert "parent" in exc.value.error_dict


def test_branch_without_parent_is_refused(db):
    with pytest.raises(ValidationError) as exc:
        save_organisation(Organisation(code="B1", name="孤儿分公司", level="branch"))
    assert "parent" in exc.value.error_dict


def test_duplicate_code_is_refused_naming_code(matrix):
    dup = Organisation(code="SX-01", name="重复", level="branch", parent=matrix["province"])
    with pytest.raises(ValidationError) as exc:
        save_organisation(dup)
    assert list(exc.value.error_dict) == ["code"]


def test_cycle_is_refused(matrix):
    # given the branch turned into its own outlet's child
    branch = matrix["branch1"]
    branch.level = "outlet"
    branch.parent = matrix["outlet"]
    with pytest.raises(ValidationError) as exc:
        save_organisation(branch)
    assert "parent" in exc.value.error_dict
    branch.refresh_from_db()
    assert branch.parent == matrix["province"]


def test_admin_form_refuses_outlet_under_province_with_field_error(client, matrix, superuser):
    client.force_login(superuser)
    url = reverse("wagtailsnippets_content_organisation:add")
    response = client.post(
        url, {"code": "SX-77", "name": "错位营业厅", "level": "outlet", "parent": matrix["province"].pk}
    )
    assert response.status_code == 200
    assert "上级必须是地市分公司" in response.content.decode()
    assert not Organisation.objects.filter(code="SX-77").exists()


def test_admin_creates_valid_branch(client, matrix, superuser):
    client.force_login(superuser)
    url = reverse("wagtailsnippets_content_organisation:add")
    response = client.post(url, {"code": "SX-05", "name": "渭南分公司", "level": "branch", "parent": matrix["province"].pk})
    assert response.status_code == 302
    assert Organisation.objects.get(code="SX-05").parent == matrix["province"]
