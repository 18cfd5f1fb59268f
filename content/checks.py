"""Channel checks of an editorial item (e.g. a title over WeChat's 32 characters, an
article without a cover), contributed by the apps above content through the Wagtail
hook ``editorial_item_checks``: ``fn(item) -> [warning]``, each warning with a
``blocking`` flag and a readable ``str``. Renditions registers its limit checks;
content only asks, so the edit page and the approval step read the same list."""

from wagtail import hooks

HOOK = "editorial_item_checks"


def item_checks(item):
    """Every warning the registered checks raise on ``item`` (a saved item or a revision's object)."""
    return [warning for check in hooks.get_hooks(HOOK) for warning in check(item)]


def blocking_checks(item):
    """The warnings that forbid publishing ``item`` to a channel it targets."""
    return [warning for warning in item_checks(item) if warning.blocking]
