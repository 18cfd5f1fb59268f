"""Users of each role, attached to an organisation the way the admin attaches editors."""

from django.contrib.auth.models import Group

from content import roles
from content.models import EditorProfile
from tests.support.factories import UserFactory


def make_editor(username, org, group=roles.EDITORS):
    """A staff user of ``org`` in the role group ``group`` (editors by default); password ``pw``."""
    roles.sync_role_groups()
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=group))
    EditorProfile.objects.create(user=user, organisation=org)
    return user
