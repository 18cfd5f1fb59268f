"""Channel-account secrets, encrypted at rest (Fernet) and masked in memory.

A secret read from the database is a ``Secret``: its repr and str never show the
value, so it cannot leak into logs, tracebacks or API answers by accident; code
that needs the value calls ``reveal()``."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models


class Secret:
    __slots__ = ("_value",)

    def __init__(self, value):
        self._value = value

    def reveal(self):
        return self._value

    def __bool__(self):
        return bool(self._value)

    def __eq__(self, other):
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self):
        return hash(("secret", self._value))

    def __repr__(self):
        return "Secret('********')" if self._value else "Secret('')"

    __str__ = __repr__


def _fernet():
    key = settings.CMS_SECRETS_KEY
    if not key:
        # Development fallback only: production settings require CMS_SECRETS_KEY.
        key = base64.urlsafe_b64encode(hashlib.sha256(settings.SECRET_KEY.encode()).digest())
    return Fernet(key)


def encrypt(plaintext):
    if not plaintext:
        return ""
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token):
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ValueError("a stored secret cannot be decrypted with the configured CMS_SECRETS_KEY") from exc


class SecretField(models.TextField):
    """Stores Fernet ciphertext; Python side holds a ``Secret``. Never editable
    through ordinary model forms: set it with ``content.services.accounts.set_secret``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return Secret(decrypt(value))

    def to_python(self, value):
        if isinstance(value, Secret):
            return value
        return Secret(value or "")

    def get_prep_value(self, value):
        if isinstance(value, Secret):
            value = value.reveal()
        return encrypt(value or "")

    def value_to_string(self, obj):
        # Serialisation (dumpdata, revisions) never carries the secret.
        return ""
