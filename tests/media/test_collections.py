"""Images live in per-organisation collections: a branch editor changes their
own, chooses from their own and the province's, and never sees a sibling's."""

import json

import pytest
from django.urls import reverse
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection
from wagtail.permissions import policy_registry

from media.models import LibraryImage
from media.services import collection_for_organisation, organisation_of_collection
from tests.support.images import make_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def images(matrix):
    return {
        "province": make_image(matrix["province"], code="IMG-SX", title="省公司图片"),
        "branch1": make_image(matrix["branch1"], code="IMG-XA", title="西安图片"),
        "branch2": make_image(matrix["branch2"], code="IMG-BJ", title="宝鸡图片"),
    }


def upload_file(name="x.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, get_test_image_file().file.getvalue(), content_type="image/png")


def policy():
    return policy_registry.get_by_type(LibraryImage)


def test_collections_are_created_on_demand_one_per_organisation_nested_like_the_tree(matrix):
    outlet_collection = collection_for_organisation(matrix["outlet"])
    assert [c.name for c in outlet_collection.get_ancestors(inclusive=True)] == ["Root", "SX", "SX-01", "SX-01-01"]
    assert collection_for_organisation(matrix["outlet"]) == outlet_collection
    assert Collection.objects.filter(name="SX-01").count() == 1
    assert organisation_of_collection(outlet_collection) == matrix["outlet"]


def test_an_image_follows_its_organisation_into_its_collection(matrix, images):
    assert images["branch1"].collection.name == "SX-01"
    # and one put into an organisation's collection belongs to that organisation
    image = LibraryImage(title="x", file=get_test_image_file(), description="alt",
                         collection=collection_for_organisation(matrix["branch2"]))
    image.save()
    assert image.organisation == matrix["branch2"]


def test_branch_editor_chooses_own_and_province_images_never_a_siblings(matrix, images, branch_editor):
    choosable = set(policy().instances_user_has_any_permission_for(branch_editor, ["choose"]).values_list("code", flat=True))
    assert choosable == {"IMG-SX", "IMG-XA"}


def test_branch_editor_changes_only_own_images(matrix, images, branch_editor):
    changeable = set(policy().instances_user_has_any_permission_for(branch_editor, ["change"]).values_list("code", flat=True))
    assert changeable == {"IMG-XA"}
    assert policy().user_has_permission_for_instance(branch_editor, "change", images["branch1"])
    assert not policy().user_has_permission_for_instance(branch_editor, "change", images["province"])
    assert not policy().user_has_permission_for_instance(branch_editor, "choose", images["branch2"])


def test_every_organisation_gets_its_collection_when_created(matrix):
    assert set(Collection.objects.exclude(depth=1).values_list("name", flat=True)) >= {"SX", "SX-01", "SX-02", "SX-01-01"}


def test_upload_collections_are_own_subtree_only(matrix, branch_editor):
    collections = policy().collections_user_has_permission_for(branch_editor, "add")
    assert sorted(collections.values_list("name", flat=True)) == ["SX-01", "SX-01-01"]


def test_province_editor_sees_every_image(matrix, images, province_editor):
    assert policy().instances_user_has_any_permission_for(province_editor, ["change"]).count() == 3


def test_image_admin_lists_and_opens_only_own_images(client, matrix, images, branch_editor):
    client.force_login(branch_editor)
    listing = client.get(reverse("wagtailimages:index")).content.decode()
    assert "西安图片" in listing and "宝鸡图片" not in listing
    assert client.get(reverse("wagtailimages:edit", args=[images["branch2"].pk])).status_code in (302, 403)
    assert client.get(reverse("wagtailimages:edit", args=[images["branch1"].pk])).status_code == 200


def test_image_chooser_shows_province_images_but_not_siblings(client, matrix, images, branch_editor):
    client.force_login(branch_editor)
    html = json.loads(client.get(reverse("wagtailimages_chooser:choose")).content)["html"]
    assert "省公司图片" in html and "西安图片" in html and "宝鸡图片" not in html


def test_upload_requires_alt_text_and_lands_in_own_collection(client, matrix, branch_editor):
    client.force_login(branch_editor)
    add = reverse("wagtailimages:add")
    missing_alt = client.post(add, {"title": "无替代文字", "file": upload_file(), "collection": ""})
    assert "description" in missing_alt.context["form"].errors
    home = collection_for_organisation(matrix["branch1"])
    response = client.post(add, {"title": "新图", "file": upload_file(), "description": "营业厅门头",
                                 "collection": home.pk, "tags": "门头, 营业厅"})
    assert response.status_code == 302, response.context["form"].errors
    image = LibraryImage.objects.get(title="新图")
    assert image.code is None
    second = client.post(add, {"title": "新图2", "file": upload_file(), "description": "门头", "collection": home.pk})
    assert second.status_code == 302
    assert image.organisation == matrix["branch1"] and image.collection == home
    assert sorted(image.tags.names()) == ["营业厅", "门头"]
    # a sibling's collection is not offered
    sibling = collection_for_organisation(matrix["branch2"])
    refused = client.post(add, {"title": "越界", "file": upload_file(), "description": "x", "collection": sibling.pk})
    assert "collection" in refused.context["form"].errors


def test_image_without_code_does_not_clash_on_uniqueness(matrix):
    make_image(matrix["branch1"], code=None)
    make_image(matrix["branch1"], code=None)
    assert LibraryImage.objects.filter(code__isnull=True).count() == 2
