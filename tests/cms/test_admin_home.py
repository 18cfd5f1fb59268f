"""The admin's home page does not depend on Wagtail's page tree, which the project does not use."""

import pytest
from wagtail.models import Page

pytestmark = pytest.mark.django_db


def test_the_home_page_renders_without_a_page_tree(admin_client):
    # given a database without Wagtail's root page (the project keeps no pages)
    assert admin_client.get("/admin/").status_code == 200
    Page.objects.all().delete()
    # when the home page is shown, then it renders (Wagtail's page summary, dropped, linked to the root page)
    response = admin_client.get("/admin/")
    assert response.status_code == 200
