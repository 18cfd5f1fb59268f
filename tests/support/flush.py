"""The flush after each transactional test (``transaction=True``, ``live_server``)
empties the tables with DELETE instead of Django's TRUNCATE: TRUNCATE replaces every
table's files, about a second for the project's hundred-odd tables, where deleting
the few rows a test wrote takes milliseconds. Same end state: every table empty,
sequences left as they are (the flush does not restart them either), foreign keys
checked at commit (Django makes them all DEFERRABLE INITIALLY DEFERRED)."""

import pytest
from django.db.backends.postgresql.operations import DatabaseOperations


def _delete_flush(truncate_flush):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate_flush(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET CONSTRAINTS ALL DEFERRED"] + [f"DELETE FROM {self.quote_name(table)};" for table in tables]

    return sql_flush


@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", _delete_flush(DatabaseOperations.sql_flush))
        yield
