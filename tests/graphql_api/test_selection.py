"""The fields a query selects below a resolved field (api/selection.py), worked out
once per field of a parsed document and kept: each document still gets its own."""

from types import SimpleNamespace

from api import selection
from api.memos import ByIdentity
from graphql import parse


def field_info(text):
    """A resolver's info for the first field of ``text``'s operation."""
    document = parse(text)
    operation = next(d for d in document.definitions if d.kind == "operation_definition")
    fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
    return SimpleNamespace(field_nodes=[operation.selection_set.selections[0]], fragments=fragments)


def test_fields_below_follow_fragments_and_are_kept_per_document():
    info = field_info("{ menu { account items { key ...Target } } } fragment Target on MenuItem { miniprogram { appId } }")
    paths = {"account", "items", "items.key", "items.miniprogram", "items.miniprogram.appId"}
    assert selection.selected(info) == paths
    # the same document's nodes, with the fragments dict each request builds afresh: the kept answer
    again = SimpleNamespace(field_nodes=list(info.field_nodes), fragments=dict(info.fragments))
    assert selection.selected(again) is selection.selected(info)
    # another document (same text or not) is worked out for itself
    assert selection.selected(field_info("{ menu { source { menu } } }")) == {"source", "source.menu"}
    other = field_info("{ menu { account items { key ...Target } } } fragment Target on MenuItem { url }")
    assert selection.selected(other) == {"account", "items", "items.key", "items.url"}
    assert selection.selected(info) == paths


def test_a_full_memo_starts_over(monkeypatch):
    monkeypatch.setattr(selection, "_kept", ByIdentity(2))
    infos = [field_info(f"{{ menu {{ f{n} }} }}") for n in range(5)]
    assert [selection.selected(info) for info in infos] == [{f"f{n}"} for n in range(5)]
    assert len(selection._kept) <= 2
