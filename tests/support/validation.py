"""Reading validation errors the way the admin shows them: field → messages."""

import pytest
from django.core.exceptions import ValidationError


def errors_of(validate, *args, **kwargs):
    """The ``message_dict`` of the ValidationError that ``validate(*args, **kwargs)`` raises."""
    with pytest.raises(ValidationError) as info:
        validate(*args, **kwargs)
    return info.value.message_dict
