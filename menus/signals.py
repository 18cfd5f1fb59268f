"""Signals of the menus app."""

from django.dispatch import Signal

# Sent after a menu version is published (a new immutable version serves).
# kwargs: version (the published menus version instance), menu, account.
menu_version_published = Signal()

# Sent when the accounts a menu is rolled out to change (menus.rollout.choose).
# kwargs: menu (the base menu), added, removed (lists of ChannelAccount).
menu_rollout_changed = Signal()
