"""Persisted queries: the documents in graphql/queries/ registered by the SHA-256
of their text. A client sends the hash (``id``, or Apollo's
``extensions.persistedQuery.sha256Hash``) instead of the document; with
GRAPHQL_PERSISTED_QUERIES_ONLY a server accepts nothing else."""

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class PersistedQuery:
    name: str
    sha256: str
    text: str


def document_hash(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def queries_dir():
    return Path(settings.GRAPHQL_PERSISTED_QUERIES_DIR)


@functools.lru_cache(maxsize=4)
def _load(directory):
    registry = {}
    for path in sorted(Path(directory).glob("*.graphql")):
        text = path.read_text(encoding="utf-8")
        query = PersistedQuery(name=path.stem, sha256=document_hash(text), text=text)
        registry[query.sha256] = query
    return registry


def registry():
    """{sha256: PersistedQuery} of the registered documents (read once per process)."""
    return _load(str(queries_dir()))


def lookup(sha256):
    return registry().get(sha256) if isinstance(sha256, str) else None


def by_name(name):
    return next((q for q in registry().values() if q.name == name), None)
