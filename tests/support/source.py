"""Parsing the project's own modules in tests that guard where a rule lives."""

import ast


def parse(source):
    """``ast.parse``, retried: CPython 3.11 < 3.11.8 may raise "AST constructor recursion
    depth mismatch" when another thread of the test process builds an AST at the same
    time (python/cpython#106905); the source itself is fine."""
    for attempt in range(5):
        try:
            return ast.parse(source)
        except SystemError:
            if attempt == 4:
                raise
