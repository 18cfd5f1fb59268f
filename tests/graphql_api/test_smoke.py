import pytest

from tests.graphql_api import factories as f


@pytest.mark.django_db
def test_smoke(matrix, branch1_api):
    f.package("PKG001", matrix["branch1"])
    data = branch1_api.data("{ viewer { name accounts { code } } packages { edges { node { code brands { code } } } } }")
    print(data)
    assert data["packages"]["edges"][0]["node"]["code"] == "PKG001"
