"""The mini-program nodes' JSON Schema as one validator: ``jsonschema.validate`` checks
the schema against its meta-schema at every call (most of a property test's time)."""

import jsonschema

from renditions.miniprogram import NODES_SCHEMA

_Validator = jsonschema.validators.validator_for(NODES_SCHEMA)
_Validator.check_schema(NODES_SCHEMA)
NODES_VALIDATOR = _Validator(NODES_SCHEMA)


def validate_nodes(nodes):
    """Raise ``jsonschema.ValidationError`` (the best match) unless ``nodes`` fit the schema."""
    error = jsonschema.exceptions.best_match(NODES_VALIDATOR.iter_errors(nodes))
    if error is not None:
        raise error
