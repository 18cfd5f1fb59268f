"""Who owns a package or business the export only says is sold somewhere."""

from importing.ownership import catalogue_owner

PARENT = {"SX": None, "SX-01": "SX", "SX-02": "SX", "SX-01-01": "SX-01", "SX-01-02": "SX-01"}
LEVEL = {"SX": "province", "SX-01": "branch", "SX-02": "branch", "SX-01-01": "outlet", "SX-01-02": "outlet"}


def test_province_owns_what_it_sells():
    assert catalogue_owner(["SX"], PARENT, LEVEL) == "SX"
    assert catalogue_owner(["SX-01", "SX"], PARENT, LEVEL) == "SX"


def test_province_owns_what_spans_several_branches():
    assert catalogue_owner(["SX-01", "SX-02"], PARENT, LEVEL) == "SX"
    assert catalogue_owner(["SX-01-01", "SX-02"], PARENT, LEVEL) == "SX"


def test_a_single_branch_owns_what_only_it_and_its_outlets_sell():
    assert catalogue_owner(["SX-02"], PARENT, LEVEL) == "SX-02"
    assert catalogue_owner(["SX-01-01", "SX-01-02"], PARENT, LEVEL) == "SX-01"
    assert catalogue_owner(["SX-01", "SX-01-01"], PARENT, LEVEL) == "SX-01"


def test_unknown_organisation_has_no_owner():
    assert catalogue_owner(["NOPE"], PARENT, LEVEL) is None
