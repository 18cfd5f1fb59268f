"""Persisted queries: the allow-list of documents in graphql/queries/.

A client sends a hash (``id``, or the automatic-persisted-queries extension
``extensions.persistedQuery.sha256Hash``) instead of the document. Each document is
registered under three hashes, so every way a client may hash it finds it: the SHA-256
of the file's bytes (``sha256sum``), of its normalized print (graphql-core's
``print_ast`` of the parsed document, which is what Apollo, urql and Relay clients
hash), and of the print with ``__typename`` in every selection set (what Apollo Client
sends by default: its cache adds them). With GRAPHQL_PERSISTED_QUERIES_ONLY a server
accepts no other document."""

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from graphql.language import Visitor, visit

from graphql import (
    FieldNode,
    GraphQLError,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
    print_ast,
)


@dataclass(frozen=True)
class PersistedQuery:
    name: str
    sha256: str
    text: str


def document_hash(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def queries_dir():
    return Path(settings.GRAPHQL_PERSISTED_QUERIES_DIR)


_TYPENAME = FieldNode(name=NameNode(value="__typename"), arguments=(), directives=())


class _AddTypename(Visitor):
    """Apollo Client's addTypenameToDocument: ``__typename`` at the end of every selection
    set but the operation's own, unless one of its fields is ``__typename`` or another
    ``__`` field (introspection), or the field is ``@export``-ed."""

    def enter_selection_set(self, node, key, parent, path, ancestors):
        if isinstance(parent, OperationDefinitionNode):
            return None
        if any(isinstance(s, FieldNode) and s.name.value.startswith("__") for s in node.selections):
            return None
        if isinstance(parent, FieldNode) and any(
            d.name.value == "export" for d in parent.directives or ()
        ):
            return None
        return SelectionSetNode(selections=(*node.selections, _TYPENAME))


def normalized_forms(text):
    """The prints a client may send of this document: as parsed, and with Apollo's
    ``__typename`` fields; () when it does not parse."""
    try:
        document = parse(text, max_tokens=settings.GRAPHQL_MAX_TOKENS)
    except (GraphQLError, RecursionError):
        return ()
    return print_ast(document), print_ast(visit(document, _AddTypename()))


@functools.lru_cache(maxsize=4)
def _load(directory):
    files, by_hash, by_print = {}, {}, {}
    for path in sorted(Path(directory).glob("*.graphql")):
        text = path.read_text(encoding="utf-8")
        query = PersistedQuery(name=path.stem, sha256=document_hash(text), text=text)
        files[query.sha256] = by_hash[query.sha256] = query
        for form in normalized_forms(text):
            printed = PersistedQuery(name=path.stem, sha256=document_hash(form), text=form)
            by_hash.setdefault(printed.sha256, printed)
            by_print.setdefault(form, printed)
    return files, by_hash, by_print


def registry():
    """{sha256 of the file: PersistedQuery} of the registered documents, as their files
    hold them (read once per process)."""
    return _load(str(queries_dir()))[0]


def lookup(sha256):
    """The registered document with this hash (of its file or of a print of it), or None."""
    return _load(str(queries_dir()))[1].get(sha256) if isinstance(sha256, str) else None


def matching(text):
    """The registered document ``text`` is, however it is spaced or commented, or None."""
    query = lookup(document_hash(text))
    if query is not None:
        return query
    forms = normalized_forms(text)
    return _load(str(queries_dir()))[2].get(forms[0]) if forms else None


def by_name(name):
    """The document as its file holds it (its ``sha256`` is the file's)."""
    return next((q for q in registry().values() if q.name == name), None)
