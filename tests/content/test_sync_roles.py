"""The role groups get their permissions once: `migrate` leaves an operator's removal
alone, `sync_roles` gives the permission back (and --dry-run only lists it)."""

import io

from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from content import roles


def _change_article():
    return Permission.objects.get(content_type__app_label="content", codename="change_article")


def _run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_migrate_keeps_a_permission_the_operator_removed_and_sync_roles_restores_it(db):
    roles.sync_role_groups()
    editors = Group.objects.get(name=roles.EDITORS)
    assert editors.permissions.filter(pk=_change_article().pk).exists()
    # given: an operator took "change article" from the editors
    editors.permissions.remove(_change_article())
    # when
    _run("migrate", "--verbosity", "0")
    # then
    assert not editors.permissions.filter(pk=_change_article().pk).exists()
    # when: listed only
    out = _run("sync_roles", "--dry-run")
    assert "编辑: would add content.change_article" in out
    assert not editors.permissions.filter(pk=_change_article().pk).exists()
    # when: restored
    out = _run("sync_roles")
    assert "编辑: added content.change_article" in out
    assert editors.permissions.filter(pk=_change_article().pk).exists()
    assert "nothing to add" in _run("sync_roles")


def test_sync_roles_takes_nothing_away(db):
    roles.sync_role_groups()
    editors = Group.objects.get(name=roles.EDITORS)
    extra = Permission.objects.get(content_type__app_label="content", codename="publish_article")
    editors.permissions.add(extra)
    _run("sync_roles")
    assert editors.permissions.filter(pk=extra.pk).exists()


def test_the_database_migrate_creates_has_the_groups_with_their_permissions(db):
    # The test database was created by migrate: the seed ran there, once.
    for name in (roles.EDITORS, roles.PUBLISHERS):
        group = Group.objects.get(name=name)
        assert set(group.permissions.all()) >= set(roles.granted_permissions(name))
