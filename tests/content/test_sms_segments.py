"""Segment counting against hand-computed cases in both encodings."""

from content.services.sms_segments import count_segments


def test_gsm7_160_chars_is_one_segment_161_is_two():
    assert count_segments("a" * 160).segments == 1
    result = count_segments("a" * 161)
    assert (result.encoding, result.segments) == ("GSM-7", 2)
    assert [len(p) for p in result.parts] == [153, 8]


def test_gsm7_extension_characters_count_double():
    # 80 braces are 160 septets: one segment; one more septet makes two
    assert count_segments("{" * 80).units == 160
    assert count_segments("{" * 80).segments == 1
    assert count_segments("{" * 80 + "a").segments == 2


def test_gsm7_escape_pair_is_not_split_across_parts():
    # 152 plain septets then an escape pair: the pair moves to the second part
    result = count_segments("a" * 152 + "€" + "a" * 10)
    assert result.parts[0] == "a" * 152
    assert result.parts[1].startswith("€")


def test_ucs2_70_is_one_segment_71_is_two_67_per_part():
    assert count_segments("中" * 70).segments == 1
    result = count_segments("中" * 71)
    assert (result.encoding, result.segments) == ("UCS-2", 2)
    assert [len(p) for p in result.parts] == [67, 4]
    assert count_segments("中" * 134).segments == 2
    assert count_segments("中" * 135).segments == 3


def test_one_chinese_character_switches_whole_text_to_ucs2():
    assert count_segments("a" * 69 + "中").segments == 1
    assert count_segments("a" * 70 + "中").encoding == "UCS-2"
    assert count_segments("a" * 70 + "中").segments == 2


def test_signature_brackets_count_as_ucs2_characters():
    # 【中国移动】 is 6 UCS-2 units
    assert count_segments("【中国移动】").units == 6


def test_emoji_takes_two_units_and_is_not_split():
    result = count_segments("中" * 66 + "😊" + "中")
    assert result.units == 69 and result.segments == 1
    result = count_segments("中" * 66 + "😊" + "中" * 4)
    assert result.segments == 2
    assert result.parts[0] == "中" * 66
    assert result.parts[1].startswith("😊")
