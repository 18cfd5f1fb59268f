"""The publishing dashboard in the Wagtail admin: publications and deliveries by
state, account and time, their errors, retry / cancel / replay / resume buttons,
and each batch's progress bar, or a run's over its batches (refreshed from a JSON
endpoint as jobs finish).

Every list goes through organisation isolation; an object outside the user's
organisations is a 404, an action on one they may only read a 403."""

from datetime import datetime
from datetime import timezone as dt_timezone

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from content.models import ChannelAccount
from content.paging import CappedCountPaginator as Paginator
from content.permissions import can_edit, can_view
from publishing import dashboard, recent, services
from publishing.drift.accounts import check_account, repair_account
from publishing.models import Delivery, Publication, PublishBatch, State

VIEW_PERMISSION = "publishing.view_publication"
CHANGE_PERMISSION = "publishing.change_publication"
PAGE_SIZE = 50


class PermissionRequired:
    permission = VIEW_PERMISSION

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _visible_or_404(user, obj):
    if not can_view(user, obj):
        raise Http404
    return obj


class PublishingPage(PermissionRequired, WagtailAdminTemplateMixin, TemplateView):
    header_icon = "upload"

    def get_breadcrumbs_items(self):
        items = [*self.breadcrumbs_items, {"url": reverse("publishing:dashboard"), "label": _("推送")}]
        if self.page_title != _("推送看板"):
            items.append({"url": "", "label": self.get_page_title()})
        return items

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_change"] = self.request.user.has_perm(CHANGE_PERMISSION)
        context["states"] = State
        return context


class DashboardView(PublishingPage):
    template_name = "publishing/admin/dashboard.html"
    page_title = _("推送看板")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        filters = dashboard.Filters.from_query(self.request.GET)
        publications = dashboard.publications_for(user, filters).order_by("-created_at", "-pk")
        page = Paginator(publications, PAGE_SIZE).get_page(self.request.GET.get("p"))
        context.update(
            filters=filters,
            accounts=dashboard.visible_accounts(user),
            periods=dashboard.PERIOD_LABELS,
            channels=Publication.Channel.choices,
            kinds=PublishBatch.Kind.choices,
            publication_counts=dashboard.state_counts(dashboard.publications_for(user, filters, apply_state=False)),
            delivery_counts=dashboard.state_counts(dashboard.deliveries_for(user, filters, apply_state=False)),
            paused=dashboard.paused_accounts(user),
            rows=recent.recent_rows(user),
            drift=dashboard.account_drift(user),
            page=page,
            query=self.request.GET.urlencode(),
            run_label=publications.values_list("batch__run_label", flat=True).first() if filters.run else "",
        )
        return context


class BatchView(PublishingPage):
    template_name = "publishing/admin/batch.html"

    def get_page_title(self):
        return f"批次 #{self.kwargs['pk']}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = get_object_or_404(PublishBatch, pk=self.kwargs["pk"])
        publications = dashboard.publications_for(self.request.user).filter(batch=batch)
        if not publications.exists():
            raise Http404
        context.update(
            batch=batch,
            publications=publications.order_by("account__code", "channel"),
            progress=dashboard.batch_progress(batch, publications),
            deliveries=dashboard.deliveries_for(self.request.user).filter(publication__batch=batch).order_by("pk"),
        )
        return context


class BatchProgressView(PermissionRequired, View):
    """JSON for the progress bar: counts, share finished and each row's state."""

    def get(self, request, pk):
        batch = get_object_or_404(PublishBatch, pk=pk)
        publications = dashboard.publications_for(request.user).filter(batch=batch)
        rows = list(publications.values("pk", "state", "attempts", "last_error", "article_id"))
        if not rows:
            raise Http404
        labels = dict(State.choices)
        data = dashboard.batch_progress(batch, publications)
        data["publications"] = [
            {
                "id": row["pk"],
                "state": row["state"],
                "state_label": str(labels[row["state"]]),
                "attempts": row["attempts"],
                "error": row["last_error"],
                "article_id": row["article_id"],
            }
            for row in rows
        ]
        return JsonResponse(data)


class RunProgressView(PermissionRequired, View):
    """JSON for a run's row: its jobs' counts and share finished, its batches by state."""

    def get(self, request, key):
        # ?batches=1,2,3: the batches the row lists, whose states move with the bar
        listed = request.GET.get("batches")
        ids = [int(pk) for pk in listed.split(",") if pk.isdigit()] if listed is not None else None
        data = recent.run_progress(request.user, key, ids)
        if data is None:
            raise Http404
        return JsonResponse(data)


def _timestamp(value):
    try:
        return datetime.fromtimestamp(float(value), tz=dt_timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


class ItemBatchView(PublishingPage):
    """The latest push of an item: its batch page once the worker has made it; until
    then a page that looks again every second (the link of the publish message)."""

    template_name = "publishing/admin/item_batch.html"
    page_title = _("推送进度")

    def get(self, request, *args, **kwargs):
        pushes = dashboard.publications_for(request.user).filter(
            batch__source_type_id=kwargs["content_type"], batch__source_id=kwargs["pk"]
        )
        since = _timestamp(request.GET.get("since"))
        if since is not None:
            pushes = pushes.filter(batch__created_at__gte=since)
        batch_id = (
            pushes
            .order_by("-batch__created_at", "-batch_id")
            .values_list("batch_id", flat=True)
            .first()
        )
        if batch_id is not None:
            return redirect("publishing:batch", pk=batch_id)
        return super().get(request, *args, **kwargs)


class PublicationView(PublishingPage):
    template_name = "publishing/admin/publication.html"

    def get_page_title(self):
        return f"发布任务 #{self.kwargs['pk']}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        found = get_object_or_404(Publication.objects.select_related("account", "batch"), pk=self.kwargs["pk"])
        pub = _visible_or_404(self.request.user, found)
        context.update(
            publication=pub,
            publication_list=[pub],
            attempts=pub.attempt_log.order_by("number"),
            deliveries=pub.deliveries.select_related("endpoint").order_by("pk"),
        )
        return context


class DeliveriesView(PublishingPage):
    template_name = "publishing/admin/deliveries.html"
    page_title = _("Webhook 投递")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        filters = dashboard.Filters.from_query(self.request.GET)
        deliveries = dashboard.deliveries_for(user, filters).order_by("-pk")
        context.update(
            filters=filters,
            accounts=dashboard.visible_accounts(user),
            periods=dashboard.PERIOD_LABELS,
            delivery_counts=dashboard.state_counts(dashboard.deliveries_for(user, filters, apply_state=False)),
            page=Paginator(deliveries, PAGE_SIZE).get_page(self.request.GET.get("p")),
        )
        return context


class DeliveryView(PublishingPage):
    template_name = "publishing/admin/delivery.html"

    def get_page_title(self):
        return f"投递 #{self.kwargs['pk']}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        deliveries = Delivery.objects.select_related("endpoint__account", "publication")
        found = get_object_or_404(deliveries, pk=self.kwargs["pk"])
        delivery = _visible_or_404(self.request.user, found)
        context.update(delivery=delivery, delivery_list=[delivery], attempts=delivery.attempt_log.order_by("number"))
        return context


class ActionView(PermissionRequired, View):
    """A POST button: do the operation, say how it went, go back where the user was."""

    permission = CHANGE_PERMISSION
    model = None
    operations = {}

    def dispatch(self, request, *args, **kwargs):
        # A refused button press is a plain 403, not Wagtail's redirect to the home page.
        if not request.user.has_perm(self.permission):
            return HttpResponseForbidden("没有操作发布任务的权限")
        return View.dispatch(self, request, *args, **kwargs)

    def post(self, request, pk, action):
        operation = self.operations.get(action)
        if operation is None:
            raise Http404
        obj = _visible_or_404(request.user, get_object_or_404(self.model, pk=pk))
        if not can_edit(request.user, obj):
            return HttpResponseForbidden("只读记录不能操作")
        try:
            result = operation(obj, request.user)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, self.done_message(action, obj, result))
        return redirect(self._next(request))

    def done_message(self, action, obj, result):
        return f"#{obj.pk}:{action}"

    @staticmethod
    def _next(request):
        target = request.POST.get("next") or request.META.get("HTTP_REFERER") or reverse("publishing:dashboard")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("publishing:dashboard")
        return target


class PublicationActionView(ActionView):
    model = Publication
    operations = {"retry": services.retry_publication, "cancel": services.cancel_publication}

    def done_message(self, action, obj, result):
        return f"发布任务 #{obj.pk} 已{'重新排队' if action == 'retry' else '取消'}"


class DeliveryActionView(ActionView):
    model = Delivery
    operations = {"replay": services.replay_delivery, "cancel": services.cancel_delivery}

    def done_message(self, action, obj, result):
        if action == "replay":
            return f"投递 #{obj.pk} 已重放为 #{result.pk}"
        return f"投递 #{obj.pk} 已取消"


class ResumeAccountView(ActionView):
    model = ChannelAccount
    operations = {"resume": lambda account, user: services.resume_account(account.pk, force=True, user=user)}

    def done_message(self, action, obj, result):
        return f"{obj.name}:已恢复 {result} 个暂停的任务"


def _check(account, user):
    return check_account(account)


def _repair(account, user):
    result = check_account(account)
    if result.error:
        raise ValidationError(result.error)
    return repair_account(account, result.findings, user=user, origin=PublishBatch.Origin.ADMIN)


class DriftActionView(ActionView):
    """检查 re-reads the account now; 修复 checks and starts the pushes that converge it."""

    model = ChannelAccount
    operations = {"check": _check, "repair": _repair}

    def done_message(self, action, obj, result):
        if action == "check":
            return f"{obj.name}:{'存在偏差' if result.drifted else '与平台一致'}"
        return f"{obj.name}:已开始修复 {'、'.join(result)}" if result else f"{obj.name}:无需修复"
