"""Nothing is half-written: a record is imported whole or not at all, even when the
database itself refuses it in the middle of a bulk write."""

import os

import pytest
from django.db import connection
from wagtail.models import Revision

from importing.runner import import_export
from content.models import SmsCommand, SmsTemplate
from media.models import LibraryImage


@pytest.fixture
def database_refuses(db):
    """A trigger making PostgreSQL refuse one SMS template, as a constraint the
    validators do not know about would."""

    def refuse(code):
        assert code.isalnum()
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                CREATE FUNCTION refuse_template() RETURNS trigger AS $$
                BEGIN
                    IF NEW.code = '{code}' THEN
                        RAISE EXCEPTION 'template refused by the database: %', NEW.code;
                    END IF;
                    RETURN NEW;
                END $$ LANGUAGE plpgsql;
                CREATE TRIGGER refuse_template BEFORE INSERT ON content_smstemplate
                    FOR EACH ROW EXECUTE FUNCTION refuse_template();
                """
            )

    return refuse


def test_a_record_the_database_refuses_is_refused_alone_and_leaves_nothing(run_import, small_export, database_refuses):
    # given
    victim = "SMS000007"
    database_refuses(victim)
    # when
    report = run_import(small_export)
    # then
    errors = [e for e in report.refused if e.list == "sms_templates"]
    assert [(e.record, e.field) for e in errors] == [(victim, "__all__")]
    assert "refused by the database" in errors[0].message
    assert SmsTemplate.objects.count() == 299
    assert not SmsTemplate.objects.filter(code=victim).exists()
    assert not Revision.objects.filter(object_str=victim).exists()
    # one binding per command and brand of each template (its default when it names no brand)
    assert SmsCommand.objects.count() == sum(
        len(t.commands) * max(1, len(t.brands.all())) for t in SmsTemplate.objects.prefetch_related("brands")
    )
    assert report.counts["sms_templates"]["created"] == 299


def test_a_failed_run_keeps_no_rows_and_no_uploaded_files(run_import, small_export, settings, monkeypatch):
    # given: the run breaks down after the images were stored
    from importing import runner

    def broken(ctx, records):
        raise RuntimeError("disk full")

    monkeypatch.setitem(runner.IMPORTERS, "articles", broken)
    # when
    with pytest.raises(RuntimeError):
        import_export(small_export)
    # then
    assert not LibraryImage.objects.exists() and not SmsTemplate.objects.exists()
    stored = [f for _root, _dirs, files in os.walk(settings.MEDIA_ROOT) for f in files]
    assert stored == []


def _stored_files(root):
    return sorted(
        os.path.relpath(os.path.join(folder, name), root) for folder, _dirs, files in os.walk(root) for name in files
    )


def test_a_run_killed_before_commit_leaves_files_the_rerun_reuses_without_uploading_again(
    run_import, small_export, settings, monkeypatch
):
    # given: a run dies after storing the images and before committing, too abruptly
    # to clean up after itself (as a killed process does)
    from importing import runner

    def killed(ctx, records):
        raise RuntimeError("killed")

    with monkeypatch.context() as patch:
        patch.setitem(runner.IMPORTERS, "articles", killed)
        patch.setattr(runner, "_forget_files", lambda ctx: None)
        with pytest.raises(RuntimeError):
            run_import(small_export)
    left = _stored_files(settings.MEDIA_ROOT)
    assert left and not LibraryImage.objects.exists()
    storage = LibraryImage._meta.get_field("file").storage
    storage.exists("")  # set up the lazy default storage
    backend = type(storage._wrapped)
    saves, original_save = [], backend._save
    monkeypatch.setattr(backend, "_save", lambda self, name, content: saves.append(name) or original_save(self, name, content))
    # when
    report = run_import(small_export)
    # then: the same bytes are not uploaded twice and every file on disk is an image's file
    assert report.counts["images"]["created"] == LibraryImage.objects.count() > 0
    assert saves == []
    assert _stored_files(settings.MEDIA_ROOT) == left == sorted(LibraryImage.objects.values_list("file", flat=True))
