"""Errors that name the record and the field, rendered the same way by the admin,
the importer and the GraphQL API."""

from dataclasses import asdict, dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


@dataclass(frozen=True)
class RecordError:
    record: str
    field: str
    message: str
    code: str = "invalid"
    list: str = ""

    def as_dict(self):
        return asdict(self)

    def __str__(self):
        where = f"{self.list} " if self.list else ""
        return f"{where}{self.record}.{self.field}: {self.message}"


def record_errors(record, error, *, list_name=""):
    """Flatten a Django ValidationError into RecordErrors for one record."""
    if not isinstance(error, ValidationError):
        return [RecordError(record=record, field=NON_FIELD_ERRORS, message=str(error), list=list_name)]
    if hasattr(error, "error_dict"):
        out = []
        for field, errors in error.error_dict.items():
            for e in errors:
                out.append(
                    RecordError(
                        record=record,
                        field="__all__" if field == NON_FIELD_ERRORS else field,
                        message=" ".join(e.messages),
                        code=e.code or "invalid",
                        list=list_name,
                    )
                )
        return out
    return [
        RecordError(record=record, field="__all__", message=" ".join(e.messages), code=e.code or "invalid", list=list_name)
        for e in error.error_list
    ]
