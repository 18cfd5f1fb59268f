"""Packages and businesses: one test per rule, the comparison table, and what is
on sale for a brand in a branch on a date."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from content.models import Brand, Package
from content.services.catalogue import (
    businesses_on_sale,
    compare_packages,
    packages_on_sale,
    validate_business,
    validate_package,
)
from tests.support.factories import BusinessFactory, PackageFactory
from tests.support.validation import errors_of

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 1)


def package(org, **kwargs):
    defaults = dict(code="PKGX", name="畅享58", monthly_fee=Decimal("58.00"), data_mb=1024, voice_minutes=100,
                    sms_count=0, contract_months=0, order_command="KTX", cancel_command="QXX")
    defaults.update(kwargs)
    return Package(organisation=org, **defaults)


# --- rules ---------------------------------------------------------------------


def test_valid_package_passes(matrix):
    validate_package(package(matrix["province"]))


def test_negative_fee_is_refused_on_monthly_fee(matrix):
    errors = errors_of(validate_package, package(matrix["province"], monthly_fee=Decimal("-5.00")))
    assert "负数" in errors["monthly_fee"][0]


def test_fee_with_more_than_two_decimals_is_refused(matrix):
    assert "monthly_fee" in errors_of(validate_package, package(matrix["province"], monthly_fee=Decimal("1.005")))


def test_negative_allowance_is_refused(matrix):
    assert "data_mb" in errors_of(validate_package, package(matrix["province"], data_mb=-1))


def test_overlong_contract_is_refused(matrix):
    assert "contract_months" in errors_of(validate_package, package(matrix["province"], contract_months=121))


def test_valid_to_before_valid_from_is_refused(matrix):
    pkg = package(matrix["province"], valid_from=datetime.date(2026, 6, 1), valid_to=datetime.date(2026, 5, 1))
    assert "valid_to" in errors_of(validate_package, pkg)


def test_malformed_command_is_refused(matrix):
    assert "order_command" in errors_of(validate_package, package(matrix["province"], order_command="开通 套餐"))


def test_same_order_and_cancel_command_is_refused(matrix):
    assert "cancel_command" in errors_of(validate_package, package(matrix["province"], cancel_command="KTX"))


def test_command_used_by_another_package_or_business_is_refused(matrix):
    PackageFactory(code="PKG1", organisation=matrix["province"], order_command="KT1", cancel_command="QX1")
    BusinessFactory(code="BIZ1", organisation=matrix["province"], order_command="KTB", cancel_command="QXB")
    errors = errors_of(validate_package, package(matrix["province"], order_command="kt1", cancel_command="QXB"))
    assert "PKG1" in errors["order_command"][0]
    assert "BIZ1" in errors["cancel_command"][0]


def test_too_many_or_too_long_highlights_are_refused(matrix):
    assert "highlights" in errors_of(validate_package, package(matrix["province"], highlights=["卖点"] * 9))
    assert "highlights" in errors_of(validate_package, package(matrix["province"], highlights=["长" * 31]))


def test_branch_cannot_sell_in_a_sibling_branch(matrix):
    pkg = package(matrix["branch1"])
    pkg.sale_orgs = [matrix["branch2"]]
    errors = errors_of(validate_package, pkg)
    assert "SX-02" in errors["sale_orgs"][0]


def test_description_is_sanitized(matrix):
    pkg = package(matrix["province"], description='<p onclick="x()">说明</p><script>alert(1)</script>')
    validate_package(pkg)
    assert pkg.description == "<p>说明</p>"


def test_business_uses_the_same_rules(matrix):
    business = BusinessFactory.build(organisation=matrix["province"], monthly_fee=Decimal("-1"))
    assert "monthly_fee" in errors_of(validate_business, business)


# --- comparison -------------------------------------------------------------------


def test_comparison_marks_the_differing_rows_and_the_best_values(matrix):
    gotone = Brand.objects.get(code="gotone")
    a = PackageFactory(code="PKGA", organisation=matrix["province"], monthly_fee=Decimal("58"), data_mb=10240)
    b = PackageFactory(code="PKGB", organisation=matrix["province"], monthly_fee=Decimal("88"), data_mb=30720)
    a.brands.add(gotone)
    b.brands.add(gotone)
    table = compare_packages([a, b])
    rows = {row.field: row for row in table.rows}
    assert rows["monthly_fee"].values == ["58.00", "88.00"] and rows["monthly_fee"].differs
    assert rows["monthly_fee"].best == [0]
    assert rows["data_mb"].values == ["10GB", "30GB"] and rows["data_mb"].best == [1]
    assert not rows["voice_minutes"].differs and rows["voice_minutes"].best == []
    assert not rows["brands"].differs and rows["brands"].values == ["全球通", "全球通"]
    assert "family" not in table.differing_fields


def test_comparison_needs_two_to_five_distinct_packages(matrix):
    packages = [PackageFactory(code=f"PKG{i}", organisation=matrix["province"]) for i in range(6)]
    for wrong in (packages[:1], packages[:6], [packages[0], packages[0]]):
        with pytest.raises(ValidationError) as info:
            compare_packages(wrong)
        assert "packages" in info.value.message_dict
    assert len(compare_packages(packages[:5]).packages) == 5


# --- on sale ------------------------------------------------------------------------


@pytest.fixture
def catalogue(matrix):
    gotone, mzone = Brand.objects.get(code="gotone"), Brand.objects.get(code="mzone")

    def make(code, org, brands, sale_orgs, **kwargs):
        pkg = PackageFactory(code=code, organisation=org, live=True, **kwargs)
        pkg.brands.set(brands)
        pkg.sale_orgs.set(sale_orgs)
        pkg.save()  # parental many-to-many relations are committed by save()
        return pkg

    return {
        "province_wide": make("P-ALL", matrix["province"], [gotone], [matrix["province"]], monthly_fee=Decimal("88")),
        "branch1_only": make("P-XA", matrix["branch1"], [gotone], [matrix["branch1"]], monthly_fee=Decimal("38")),
        "branch2_only": make("P-BJ", matrix["branch2"], [gotone], [matrix["branch2"]]),
        "other_brand": make("P-MZ", matrix["province"], [mzone], [matrix["province"]]),
        "expired": make("P-OLD", matrix["province"], [gotone], [matrix["province"]],
                        valid_from=datetime.date(2025, 1, 1), valid_to=datetime.date(2025, 12, 31)),
        "future": make("P-NEW", matrix["province"], [gotone], [matrix["province"]], valid_from=datetime.date(2026, 7, 1)),
        "draft": make("P-DRAFT", matrix["province"], [gotone], [matrix["province"]]),
    }


def test_packages_on_sale_for_a_brand_in_a_branch_on_a_date(matrix, catalogue):
    Package.objects.filter(code="P-DRAFT").update(live=False)
    codes = [p.code for p in packages_on_sale("gotone", "SX-01", DAY)]
    # cheapest first; province-wide included; sibling, other brand, expired, future and drafts excluded
    assert codes == ["P-XA", "P-ALL"]


def test_outlet_sees_what_its_branch_and_the_province_sell(matrix, catalogue):
    Package.objects.filter(code="P-DRAFT").update(live=False)
    assert {p.code for p in packages_on_sale("gotone", matrix["outlet"], DAY)} == {"P-XA", "P-ALL"}


def test_dates_are_inclusive(matrix, catalogue):
    assert "P-NEW" in {p.code for p in packages_on_sale("gotone", "SX-01", datetime.date(2026, 7, 1))}
    assert "P-OLD" in {p.code for p in packages_on_sale("gotone", "SX-01", datetime.date(2025, 12, 31))}


def test_unknown_brand_is_refused_naming_it(matrix):
    with pytest.raises(ValidationError) as info:
        packages_on_sale("nosuchbrand", "SX-01", DAY)
    assert "nosuchbrand" in str(info.value)


def test_on_sale_query_count_does_not_grow_with_the_answer(matrix, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        result = list(packages_on_sale("gotone", "SX-01", DAY))
        for pkg in result:
            list(pkg.brands.all()), list(pkg.sale_orgs.all())


def test_businesses_on_sale_follow_the_same_rule(matrix):
    gotone = Brand.objects.get(code="gotone")
    biz = BusinessFactory(code="B1", organisation=matrix["province"], live=True)
    biz.brands.add(gotone)
    biz.save()
    assert [b.code for b in businesses_on_sale(gotone, matrix["branch2"], DAY)] == ["B1"]
