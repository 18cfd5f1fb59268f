"""The per-process memos (api.memos): bounded, starting over when full, emptied when a
setting changes; a stamped memo finds an entry only while its stamp is valid."""

from django.test import override_settings

from api.memos import Memo, StampedMemo


def test_a_full_memo_starts_over():
    memo = Memo(2)
    computed = []
    for key in ("a", "b", "a", "c", "a"):
        memo.get_or_compute(key, lambda k: computed.append(k) or k.upper())
    # "c" found the memo full: it started over with "c" alone, so "a" was computed again
    assert computed == ["a", "b", "c", "a"] and len(memo) == 2


def test_a_stamped_memo_finds_an_entry_only_while_its_stamp_is_valid():
    current = {"generation": 1}
    memo = StampedMemo(2, lambda stamp: stamp == current["generation"])
    memo.put("token", "principal", 1)
    assert memo.get("token") == "principal" and memo.get("other") is None
    current["generation"] = 2
    assert memo.get("token") is None
    # bounded as a memo: a third key starts it over
    memo.put("a", 1, 2)
    memo.put("b", 2, 2)
    assert len(memo) == 1 and memo.get("b") == 2 and memo.get("a") is None


def test_memos_are_emptied_when_a_setting_changes():
    memo, stamped = Memo(4), StampedMemo(4, lambda stamp: True)
    memo.get_or_compute("a", str.upper)
    stamped.put("a", "A", None)
    with override_settings(GRAPHQL_LOCAL_CACHE_SECONDS=5):
        assert len(memo) == 0 and stamped.get("a") is None
