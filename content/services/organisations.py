"""Organisation tree rules, used by the admin form, the importer and code alike."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from content.models.organisations import PARENT_LEVEL, Organisation


def validate_organisation_tree(org):
    """Refuse cycles, wrong parent levels and duplicate codes, naming the field."""
    errors = {}
    expected = PARENT_LEVEL.get(org.level)
    if org.level not in PARENT_LEVEL:
        errors["level"] = _("未知层级 %(level)s") % {"level": org.level}
    elif expected is None and org.parent_id is not None:
        errors["parent"] = _("省公司不能有上级组织")
    elif expected is not None and org.parent_id is None:
        errors["parent"] = _("%(level)s 必须有上级组织") % {"level": org.get_level_display()}
    elif expected is not None and org.parent.level != expected:
        errors["parent"] = _("%(level)s 的上级必须是%(expected)s,而 %(parent)s 是%(actual)s") % {
            "level": org.get_level_display(),
            "expected": Organisation.Level(expected).label,
            "parent": org.parent.code,
            "actual": org.parent.get_level_display(),
        }
    if org.parent_id is not None and org.pk is not None and org.pk in [org.parent_id, *org.parent.ancestor_ids()]:
        errors["parent"] = _("上级组织形成循环:%(code)s 不能在自己之下") % {"code": org.code}
    if org.code and Organisation.objects.filter(code=org.code).exclude(pk=org.pk).exists():
        errors["code"] = _("代码 %(code)s 已存在") % {"code": org.code}
    if errors:
        raise ValidationError(errors)


def subtree_ids(org_id):
    """The organisation and everything below it (the tree is at most three deep)."""
    from django.db.models import Q

    return set(
        Organisation.objects.filter(Q(pk=org_id) | Q(parent_id=org_id) | Q(parent__parent_id=org_id)).values_list(
            "pk", flat=True
        )
    )


def save_organisation(org):
    """Validate then save; the one write path for organisations outside the admin."""
    org.full_clean()
    org.save()
    return org
