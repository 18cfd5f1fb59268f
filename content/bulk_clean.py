"""Django's ``full_clean`` over many objects at once (the release page checks every
item of a release): the same checks, messages and order, but the lookups it makes per
object (does each foreign key's row exist, is each unique field free) read once per
field for all the objects (``known_rows``), then answered from memory."""

from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, models


def _foreign_keys(model):
    return [
        f for f in model._meta.fields
        if isinstance(f, models.ForeignKey) and not f.remote_field.parent_link and not f.generated
    ]


@dataclass
class Known:
    """What the lookups of ``full_clean`` find, read for many objects."""

    # (model, foreign key name) -> the values whose row exists
    existing: dict = field(default_factory=dict)
    # (model class of the check, field name) -> {value: pks holding it}
    holders: dict = field(default_factory=dict)


def known_rows(objs):
    """Known answers for ``full_clean(obj, known)`` of every object of ``objs``: one
    query per foreign key and per single-field unique check of each model."""
    known = Known()
    by_model = {}
    for obj in objs:
        by_model.setdefault(type(obj), []).append(obj)
    for model, group in by_model.items():
        for fk in _foreign_keys(model):
            values = {getattr(obj, fk.attname) for obj in group} - {None}
            if not values:
                continue
            target = fk.remote_field.field_name
            rows = fk.remote_field.model._base_manager.filter(**{f"{target}__in": values})
            rows = rows.complex_filter(fk.get_limit_choices_to())
            known.existing[(model, fk.name)] = set(rows.values_list(target, flat=True))
        checks = {check for obj in group for check in obj._get_unique_checks()[0] if len(check[1]) == 1}
        for model_class, (name,) in checks:
            attname = model_class._meta.get_field(name).attname
            values = {getattr(obj, attname) for obj in group} - {None}
            holders = {}
            rows = model_class._default_manager.filter(**{f"{name}__in": values}).values_list(name, "pk")
            for value, pk in rows:
                holders.setdefault(value, set()).add(pk)
            known.holders[(model_class, name)] = holders
    return known


def _clean_foreign_key(obj, fk, known):
    """ForeignKey.clean without its query (``known`` says whether the row exists)."""
    value = fk.to_python(getattr(obj, fk.attname))
    models.Field.validate(fk, value, obj)
    existing = known.existing.get((type(obj), fk.name))
    if value is not None and existing is not None and value not in existing:
        raise ValidationError(
            fk.error_messages["invalid"],
            code="invalid",
            params={
                "model": fk.remote_field.model._meta.verbose_name,
                "pk": value,
                "field": fk.remote_field.field_name,
                "value": value,
            },
        )
    if value is not None and existing is None:
        fk.validate(value, obj)  # not read ahead: ask
    fk.run_validators(value)
    return value


def _clean_fields(obj, known):
    errors = {}
    fks = {fk.name: fk for fk in _foreign_keys(type(obj))}
    try:
        obj.clean_fields(exclude=set(fks))
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    for fk in fks.values():
        raw = getattr(obj, fk.attname)
        if fk.blank and raw in fk.empty_values:
            continue
        try:
            setattr(obj, fk.attname, _clean_foreign_key(obj, fk, known))
        except ValidationError as exc:
            errors[fk.name] = exc.error_list
    # In field order, as clean_fields gives them.
    return {f.name: errors[f.name] for f in obj._meta.fields if f.name in errors}


def _unique_errors(obj, known, exclude):
    unique_checks, date_checks = obj._get_unique_checks(exclude=exclude)
    errors = {}
    for model_class, check in unique_checks:
        holders = known.holders.get((model_class, check[0])) if len(check) == 1 else None
        if holders is None:  # not read ahead: ask
            for name, messages in obj._perform_unique_checks([(model_class, check)]).items():
                errors.setdefault(name, []).extend(messages)
            continue
        f = obj._meta.get_field(check[0])
        value = getattr(obj, f.attname)
        if value is None or (value == "" and connection.features.interprets_empty_strings_as_nulls):
            continue
        if f in model_class._meta.pk_fields and not obj._state.adding:
            continue
        found = set(holders.get(value, ()))
        if not obj._state.adding and obj._is_pk_set(model_class._meta):
            found.discard(obj._get_pk_val(model_class._meta))
        if found:
            errors.setdefault(check[0], []).append(obj.unique_error_message(model_class, check))
    for name, messages in obj._perform_date_checks(date_checks).items():
        errors.setdefault(name, []).extend(messages)
    return errors


def full_clean(obj, known):
    """``obj.full_clean()`` with its lookups answered from ``known`` (``known_rows``)."""
    exclude = set()
    errors = _clean_fields(obj, known)
    if errors:
        errors = ValidationError(errors).update_error_dict({})
    try:
        obj.clean()
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
    unique = _unique_errors(obj, known, exclude)
    if unique:
        errors = ValidationError(unique).update_error_dict(errors)
    exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
    try:
        obj.validate_constraints(exclude=exclude)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
