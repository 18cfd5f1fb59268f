"""The admin's guard of referential integrity: unpublishing an item, or deleting live
items (one or in bulk), is refused while a live item needs them (content.dependencies),
with a message naming each dependent; nothing changes. The confirmation pages list
the same blockers before the editor clicks."""

from django.contrib import messages
from django.contrib.admin.utils import quote
from django.shortcuts import redirect
from django.urls import reverse

from content import kinds
from content.dependencies import blockers, refusal


def blockers_of_live(objects):
    """Blockers of taking ``objects`` (any models) off live together; items not live need no check."""
    pairs = []
    for obj in objects:
        kind = kinds.kind_of(obj)
        if kind is not None and getattr(obj, "live", False) and obj.pk is not None:
            pairs.append((kind.code, obj.pk))
    return blockers(pairs) if pairs else []


def _back_to(objects):
    viewset = getattr(type(objects[0]), "snippet_viewset", None)
    if viewset is None:
        return "wagtailadmin_home"
    if len(objects) == 1:
        return reverse(viewset.get_url_name("edit"), args=[quote(objects[0].pk)])
    return reverse(viewset.get_url_name("list"))


def refuse_when_needed(request, objects, action):
    """A redirect carrying the refusal when a live item needs one of ``objects``, else None.
    Only a POST is refused: the confirmation page itself shows the blockers."""
    if request.method != "POST" or not objects:
        return None
    found = blockers_of_live(objects)
    if not found:
        return None
    messages.error(request, refusal(found, action))
    return redirect(_back_to(list(objects)))
