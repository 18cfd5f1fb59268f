"""Confirmation pages of irreversible actions on an editorial item: unpublishing it,
or deleting it while it is live, says what will change where, listing the accounts
the item is live on. Which accounts those are is known above content (publishing
keeps the ledger of pushes), so they are asked through the Wagtail hook
``editorial_item_live_accounts``: ``fn(item) -> [LiveAccount]``. Both pages also
list the live items that need this one (content.views.integrity), which refuse it."""

from dataclasses import dataclass

from wagtail import hooks
from wagtail.snippets.views.snippets import DeleteView, UnpublishView

from content.views.integrity import blockers_of_live

HOOK = "editorial_item_live_accounts"


@dataclass(frozen=True)
class LiveAccount:
    """An account serving the item now, and how it got it (pushed, or read from its bundle)."""

    code: str
    name: str
    channel: str  # the account type's label
    how: str


def live_accounts(item):
    return [account for fn in hooks.get_hooks(HOOK) for account in fn(item)]


class ConfirmedUnpublishView(UnpublishView):
    template_name = "content/confirm_unpublish.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["live_accounts"] = live_accounts(self.object)
        context["blockers"] = blockers_of_live([self.object])
        return context


class ConfirmedDeleteView(DeleteView):
    template_name = "content/confirm_delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        live = getattr(self.object, "live", False)
        context["item_live"] = live
        context["live_accounts"] = live_accounts(self.object) if live else []
        context["blockers"] = blockers_of_live([self.object]) if live else []
        return context
