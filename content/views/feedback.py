"""What the editor is told once an item goes live from the admin (published, or
approved and published): apps above content add their news through the Wagtail
hook ``editorial_item_went_live``: ``fn(request, item, approved)`` (publishing says
how many accounts it is pushing to, with a link to the push's progress)."""

from wagtail import hooks

HOOK = "editorial_item_went_live"


def announce_if_live(request, item, *, approved):
    """Tell the hooks when ``item`` (reloaded: the action may have published it) is live now."""
    if item is None or item.pk is None:
        return
    current = type(item)._default_manager.filter(pk=item.pk).first()
    if current is None or not getattr(current, "live", False):
        return
    for fn in hooks.get_hooks(HOOK):
        fn(request, current, approved)
