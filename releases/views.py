"""The release page: its items (add, remove), what changes on each channel account,
every violation, the go-live and rollback runs with their push progress, and the
rollback button (adding from an item's row or edit page is releases.add_to). Isolation: a release
outside the user's organisations is a 404, changing it needs the edit permission."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from wagtail.permissions import policy_registry

from content.permissions import can_view
from releases import fanout, golive, membership, plan, reading
from releases.models import Release
from releases.validation import violations


def _policy():
    return policy_registry.get_by_type(Release)


def release_for(request, pk, action="view"):
    release = Release.objects.select_related("organisation").filter(pk=pk).first()
    if release is None or not can_view(request.user, release):
        raise Http404
    if not _policy().user_has_permission_for_instance(request.user, action, release):
        raise PermissionDenied
    return release


def _messages_of(error):
    if hasattr(error, "error_dict"):
        return [
            message
            for messages_ in error.message_dict.values()
            for message in messages_
        ]
    return error.messages


def _post(request, release):
    action = request.POST.get("action")
    try:
        if action == "add":
            refs = [
                line.strip()
                for line in request.POST.get("refs", "").split()
                if line.strip()
            ]
            added = membership.add(
                release_for(request, release.pk, "change"), refs, user=request.user
            )
            messages.success(request, f"已加入 {len(added)} 项内容")
        elif action == "remove":
            membership.remove(
                release_for(request, release.pk, "change"),
                int(request.POST.get("item", 0)),
            )
            messages.success(request, "已移出")
        elif action == "rollback":
            golive.rollback(
                release_for(request, release.pk, "publish"), user=request.user
            )
            messages.success(request, "正在回滚:每项内容恢复到上线前的版本")
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    return redirect("releases_admin:release", release.pk)


def release_page(request, pk):
    release = release_for(request, pk)
    if request.method == "POST":
        return _post(request, release)
    runs = [(run, fanout.progress(run)) for run in release.runs.order_by("created_at")]
    # One read of the items for the violations and the plan (releases.reading).
    with reading.shared(release) as (items, drafts):
        plans = plan.plan(release, drafts)
        found = violations(release, drafts) if release.state == Release.State.OPEN else []
    return TemplateResponse(
        request,
        "releases/release.html",
        {
            "release": release,
            "items": items,
            "plans": plans,
            "violations": found,
            "runs": runs,
            "can_change": release.state == Release.State.OPEN
            and _policy().user_has_permission_for_instance(
                request.user, "change", release
            ),
            "can_rollback": release.state == Release.State.LIVE
            and _policy().user_has_permission_for_instance(
                request.user, "publish", release
            ),
            "edit_url": reverse(
                "wagtailsnippets_releases_release:edit", args=[release.pk]
            ),
            "page_title": f"上线计划:{release.code} {release.title}",
            "header_icon": "calendar-alt",
        },
    )


def progress_json(request, pk):
    release = release_for(request, pk)
    return JsonResponse(
        {
            "state": release.state,
            "runs": [
                {
                    "action": run.action,
                    "changeVersion": run.change_version,
                    **fanout.progress(run),
                }
                for run in release.runs.order_by("created_at")
            ],
        }
    )
