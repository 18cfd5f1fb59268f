"""Images are uploaded once per account and content hash."""

import threading

import pytest
from django.db import connection

from wechat.errors import TransientError
from wechat.models import UploadedAsset
from tests.support.images import JPEG, PNG

pytestmark = pytest.mark.integration


def test_unchanged_body_image_is_uploaded_once(wechat_client, wechat_emulator, app_id):
    # when
    first = wechat_client.upload_body_image(PNG)
    second = wechat_client.upload_body_image(PNG)
    # then
    assert first == second
    assert first.startswith(wechat_emulator.base_url)
    assert wechat_emulator.state.calls[app_id]["media/uploadimg"] == 1
    assert UploadedAsset.objects.filter(app_id=app_id, kind="uploadimg").count() == 1


def test_changed_image_is_uploaded_again(wechat_client, wechat_emulator, app_id):
    # when
    first = wechat_client.upload_body_image(PNG)
    second = wechat_client.upload_body_image(PNG + b"\x01")
    # then
    assert first != second
    assert wechat_emulator.state.calls[app_id]["media/uploadimg"] == 2


def test_cover_is_uploaded_once_per_kind_and_per_account(db, make_client, wechat_emulator, app_id):
    # given
    client = make_client(app_id)
    other = make_client(app_id + "x")
    # when
    image = client.add_cover(JPEG)
    again = client.add_cover(JPEG)
    thumb = client.add_cover(JPEG, kind="thumb")
    elsewhere = other.add_cover(JPEG)
    # then
    assert image == again
    assert image.url and not thumb.url
    assert len({image.media_id, thumb.media_id, elsewhere.media_id}) == 3
    assert wechat_emulator.state.calls[app_id]["material/add_material"] == 2
    assert wechat_emulator.state.calls[app_id + "x"]["material/add_material"] == 1


def test_failed_upload_leaves_no_record_and_is_tried_again_later(wechat_client, wechat_emulator, app_id):
    # given
    wechat_emulator.state.script(endpoint="media/uploadimg", errcode=-1, times=4)
    with pytest.raises(TransientError):
        wechat_client.upload_body_image(PNG)
    assert not UploadedAsset.objects.filter(app_id=app_id).exists()
    # when
    url = wechat_client.upload_body_image(PNG)
    # then
    assert UploadedAsset.objects.get(app_id=app_id).url == url


def test_concurrent_uploads_of_one_image_upload_it_once(transactional_db, make_client, wechat_emulator, app_id):
    # given: four workers upload the same image while WeChat is slow
    wechat_emulator.state.script(endpoint="media/uploadimg", delay_ms=300)
    make_client(app_id).access_token()
    barrier = threading.Barrier(4)
    urls, errors = [], []

    def work():
        client = make_client(app_id)
        try:
            barrier.wait()
            urls.append(client.upload_body_image(PNG))
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then
    assert not errors, errors
    assert len(set(urls)) == 1
    assert wechat_emulator.state.calls[app_id]["media/uploadimg"] == 1


def test_forgotten_upload_is_uploaded_again(wechat_client, wechat_emulator, app_id):
    # given
    cover = wechat_client.add_cover(PNG)
    # when
    wechat_client.forget_upload(media_id=cover.media_id)
    again = wechat_client.add_cover(PNG)
    # then
    assert again.media_id != cover.media_id
    assert wechat_emulator.state.calls[app_id]["material/add_material"] == 2
