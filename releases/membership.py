"""What a release holds: items named ``KIND:CODE`` (a menu as ``menu:MENU_CODE``),
added under isolation and refused when another open release holds them; and the
hold every publish path asks about (content.holds)."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField
from django.db.models.functions import Cast
from wagtail.models import Revision, WorkflowState

from content import kinds, memo
from content.permissions import can_edit
from releases.models import Release, ReleaseItem


def releasable_kinds():
    """Kinds a release can hold: the editorial kinds and menus."""
    return [*kinds.editorial(), kinds.get(kinds.Kind.MENU)]


def _refuse(ref, message, code):
    raise ValidationError({"items": ValidationError(f"{ref}: {message}", code=code)})


def resolve(ref):
    """The item named by ``KIND:CODE``; ValidationError naming the reference."""
    kind_code, sep, code = ref.partition(":")
    if not sep or not code:
        _refuse(
            ref, "格式应为 类型:代码,例如 article:ART001 或 menu:MENU_CODE", "invalid"
        )
    allowed = {kind.code: kind for kind in releasable_kinds()}
    kind = allowed.get(kind_code)
    if kind is None:
        _refuse(
            ref, f"未知的类型 {kind_code},可用:{', '.join(allowed)}", "unknown_kind"
        )
    if kind.code_field == "pk" and not code.isdigit():
        _refuse(ref, f"{kind.label}以数字编号表示", "invalid")
    item = kind.model._default_manager.filter(**{kind.code_field: code}).first()
    if item is None:
        _refuse(ref, f"没有代码为 {code} 的{kind.label}", "not_found")
    return item


def refuse_unless_editable(release):
    """A release takes items only while it is open and not under review or scheduled."""
    if release.state != Release.State.OPEN:
        raise ValidationError(
            {
                "state": ValidationError(
                    f"上线计划 {release.code} 状态为“{release.get_state_display()}”,不能再修改内容",
                    code="not_open",
                )
            }
        )
    if release.workflow_in_progress:
        raise ValidationError(
            {
                "state": ValidationError(
                    f"上线计划 {release.code} 正在审核中,请先撤回审核再修改内容",
                    code="in_review",
                )
            }
        )
    if release.approved_schedule:
        raise ValidationError(
            {
                "state": ValidationError(
                    f"上线计划 {release.code} 已排期上线,请先取消排期再修改内容",
                    code="scheduled",
                )
            }
        )


def taking_items(queryset):
    """The releases of ``queryset`` that refuse_unless_editable lets take items: open,
    not under review, not scheduled (one query, for the "add to release" form)."""
    # Wagtail keeps object ids as text: compare them as numbers, in subqueries.
    content_type = ContentType.objects.get_for_model(Release)
    in_review = WorkflowState.objects.filter(
        base_content_type=content_type, status=WorkflowState.STATUS_IN_PROGRESS
    )
    scheduled = Revision.objects.filter(
        base_content_type=content_type, approved_go_live_at__isnull=False
    )
    return (
        queryset.filter(state=Release.State.OPEN)
        .exclude(
            pk__in=in_review.values(release_id=Cast("object_id", BigIntegerField()))
        )
        .exclude(
            pk__in=scheduled.values(release_id=Cast("object_id", BigIntegerField()))
        )
    )


def holder_of(item):
    """The ReleaseItem holding ``item`` (of an open or going-live release), or None."""
    content_type = ContentType.objects.get_for_model(item, for_concrete_model=False)
    return memo.once(
        ("release holder", content_type.pk, item.pk),
        lambda: ReleaseItem.objects.filter(
            content_type=content_type, object_id=item.pk, holding=True
        )
        .select_related("release")
        .first(),
    )


def share_holders(release, release_items):
    """Inside a content.memo block: the items ``release`` holds need not be asked who
    holds them (at most one release holds an item)."""
    for release_item in release_items:
        if release_item.holding:
            release_item.release = release
            memo.remember(("release holder", release_item.content_type_id, release_item.object_id), release_item)


def _conflict_message(item, holder):
    return f"{kinds.label(holder.kind)} {holder.code} 已在上线计划 {holder.release.code}({holder.release.title})中"


def add(release, items, user=None):
    """Add ``items`` (objects or ``KIND:CODE`` references) to an open release, all or
    none: each must be one the user may edit and no other open release holds."""
    resolved = [resolve(ref) if isinstance(ref, str) else ref for ref in items]
    added = []
    with transaction.atomic():
        # Locked: an approval or go-live of the release waits for the items being added.
        release = Release.objects.select_for_update().get(pk=release.pk)
        refuse_unless_editable(release)
        for item in resolved:
            kind = kinds.kind_of(item)
            code = kind.item_code(item)
            if user is not None and not can_edit(user, item):
                _refuse(
                    f"{kind.code}:{code}",
                    "无权编辑该内容,不能加入上线计划",
                    "forbidden",
                )
            holder = holder_of(item)
            if holder is not None and holder.release_id == release.pk:
                continue
            if holder is not None:
                _refuse(
                    f"{kind.code}:{code}", _conflict_message(item, holder), "conflict"
                )
            try:
                with transaction.atomic():
                    added.append(
                        ReleaseItem.objects.create(
                            release=release,
                            kind=kind.code,
                            object_id=item.pk,
                            code=code,
                            content_type=ContentType.objects.get_for_model(
                                item, for_concrete_model=False
                            ),
                            added_by=user
                            if user is not None and user.is_authenticated
                            else None,
                        )
                    )
            except IntegrityError:  # another release took it meanwhile
                holder = holder_of(item)
                _refuse(
                    f"{kind.code}:{code}",
                    _conflict_message(item, holder) if holder else "已在其它上线计划中",
                    "conflict",
                )
    return added


def remove(release, release_item_id):
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        refuse_unless_editable(release)
        ReleaseItem.objects.filter(release=release, pk=release_item_id).delete()


def holding_release(item):
    """content.holds check: (release code, message) when an open release holds ``item``."""
    if kinds.kind_of(item) is None or item.pk is None:
        return None
    holder = holder_of(item)
    if holder is None:
        return None
    return holder.release.code, (
        f"{kinds.label(holder.kind)} {holder.code} 属于上线计划 {holder.release.code}"
        f"({holder.release.title}),只能随该计划一起上线"
    )
