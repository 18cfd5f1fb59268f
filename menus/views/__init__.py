"""Admin views of menus: the tree editor, versions (diff, rollback) and the SMS simulator."""
