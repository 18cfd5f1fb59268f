"""Text a request may carry into a query: PostgreSQL stores no NUL character and
UTF-8 has no lone surrogate (JSON's ``"\\ud800"`` decodes to one), and either one
reaching the database was a server error (psycopg's DataError, or an encode error)
instead of a refusal. The GraphQL view, the GraphQL literals and the admin's
middleware (``cms.bad_input``) all ask this module."""

from graphql import ArgumentNode, ObjectFieldNode, StringValueNode, VariableDefinitionNode, visit
from graphql.language import Visitor


def refusal(text):
    """Why ``text`` cannot be stored, or None when it can."""
    if "\x00" in text:
        return "contains a NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode (a lone surrogate)"
    return None


def refused_value(value, path):
    """(path, reason) of the first string in a JSON value that cannot be stored, or None;
    object keys count too."""
    if isinstance(value, str):
        reason = refusal(value)
        return (path, reason) if reason else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = refused_value(key, path) or refused_value(item, f"{path}.{key}")
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = refused_value(item, f"{path}.{index}")
            if found:
                return found
    return None


class _Literals(Visitor):
    def __init__(self):
        super().__init__()
        self.names = []
        self.found = None

    def enter(self, node, *_args):
        if isinstance(node, (ArgumentNode, ObjectFieldNode)):
            self.names.append(node.name.value)
        elif isinstance(node, VariableDefinitionNode):
            self.names.append(node.variable.name.value)
        elif isinstance(node, StringValueNode) and self.found is None:
            reason = refusal(node.value)
            if reason:
                self.found = (".".join(self.names) or None, reason)
                return self.BREAK
        return None

    def leave(self, node, *_args):
        if isinstance(node, (ArgumentNode, ObjectFieldNode, VariableDefinitionNode)):
            self.names.pop()


def refused_literal(document):
    """(argument, reason) of the first string literal of a parsed GraphQL document that
    cannot be stored, or None. The argument is dotted through input objects."""
    literals = _Literals()
    visit(document, literals)
    return literals.found
