"""Channel-account secrets, encrypted at rest (Fernet) and masked in memory.

A secret read from the database is a ``Secret``: its repr and str never show the
value, so it cannot leak into logs, tracebacks or API answers by accident; code
that needs the value calls ``reveal()``.

Keys rotate: ``CMS_SECRETS_KEY`` encrypts, it and every key of
``CMS_SECRETS_KEY_FALLBACKS`` decrypt (``MultiFernet``), and ``manage.py
rotate_secrets`` re-encrypts what is stored under the current key. A stored value
no configured key opens loads as an unreadable ``Secret``: the record still lists,
shows and saves (its ciphertext is written back untouched); only ``reveal()`` fails,
with a ``SecretUnreadable`` naming the record and the field."""

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.utils.translation import gettext


class SecretUnreadable(ValueError):
    """A stored secret that none of the configured keys decrypts."""


class Secret:
    __slots__ = ("_sealed", "_value", "_where")

    def __init__(self, value, *, sealed=None, where=None):
        self._value = value
        # The ciphertext no configured key opens, kept so that saving does not lose it.
        self._sealed = sealed
        self._where = where

    @classmethod
    def unreadable(cls, ciphertext, where=None):
        return cls("", sealed=ciphertext, where=where)

    @property
    def readable(self):
        return self._sealed is None

    def reveal(self):
        if self._sealed is not None:
            raise SecretUnreadable(unreadable_message(self._where))
        return self._value

    def __bool__(self):
        # An unreadable secret is still set: it is stored, only the key is missing.
        return self._sealed is not None or bool(self._value)

    def __eq__(self, other):
        return isinstance(other, Secret) and (other._value, other._sealed) == (self._value, self._sealed)

    def __hash__(self):
        return hash(("secret", self._value, self._sealed))

    def __repr__(self):
        if self._sealed is not None:
            return "Secret(<unreadable>)"
        return "Secret('********')" if self._value else "Secret('')"

    __str__ = __repr__


def unreadable_message(where=None):
    where = where or gettext("一个已保存的密钥")
    return gettext(
        "%(where)s 无法用当前配置的 CMS_SECRETS_KEY 或 CMS_SECRETS_KEY_FALLBACKS 解密:"
        "请把加密它的密钥加回 CMS_SECRETS_KEY_FALLBACKS,或重新设置该密钥"
    ) % {"where": where}


def configured_keys():
    """The keys in order: the current one (encrypts) first, then the fallbacks."""
    key = settings.CMS_SECRETS_KEY
    if not key:
        # Development fallback only: production settings require CMS_SECRETS_KEY.
        key = base64.urlsafe_b64encode(hashlib.sha256(settings.SECRET_KEY.encode()).digest()).decode()
    return (key, *settings.CMS_SECRETS_KEY_FALLBACKS)


@functools.lru_cache(maxsize=4)
def _multi_fernet(keys):
    return MultiFernet([Fernet(key) for key in keys])


def _fernet():
    return _multi_fernet(configured_keys())


def encrypt(plaintext):
    if not plaintext:
        return ""
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token, where=None):
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise SecretUnreadable(unreadable_message(where)) from None


class _SecretAttribute(DeferredAttribute):
    """Tells an unreadable secret which record and field it belongs to, for its error.
    A data descriptor (it has ``__set__``), so reads go through ``__get__`` even once
    the value sits in the instance's ``__dict__``."""

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value

    def __get__(self, instance, cls=None):
        value = super().__get__(instance, cls)
        if instance is not None and isinstance(value, Secret) and not value.readable and value._where is None:
            value._where = f"{instance._meta.verbose_name} {instance} ({instance.pk}) 的 {self.field.verbose_name}"
        return value


class SecretField(models.TextField):
    """Stores Fernet ciphertext; Python side holds a ``Secret``. Never editable
    through ordinary model forms: set it with ``content.services.accounts.set_secret``."""

    descriptor_class = _SecretAttribute

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
        try:
            return Secret(decrypt(value))
        except SecretUnreadable:
            return Secret.unreadable(value)

    def to_python(self, value):
        if isinstance(value, Secret):
            return value
        return Secret(value or "")

    def get_prep_value(self, value):
        if isinstance(value, Secret):
            if not value.readable:
                return value._sealed
            value = value.reveal()
        return encrypt(value or "")

    def value_to_string(self, obj):
        # Serialisation (dumpdata, revisions) never carries the secret.
        return ""


def secret_fields():
    """Every (model, field name) that stores a secret, across the installed apps."""
    from django.apps import apps

    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, SecretField)
    ]
