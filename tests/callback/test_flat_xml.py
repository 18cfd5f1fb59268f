"""WeChat's flat messages are read without the XML parser: what the endpoint reads of
a body is what defusedxml reads of it, and every body outside that flat form, hostile
ones included, is still left to defusedxml."""

from xml.etree.ElementTree import ParseError

import pytest
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callback.messages import MAX_BODY_BYTES, MalformedMessage, _flat_root, parse_root

FLAT = [
    "<xml><ToUserName><![CDATA[gh_x]]></ToUserName><Content><![CDATA[a]]]></Content><MsgId>123</MsgId></xml>",
    "<xml>\n<A> spaced </A>\n<B></B><C><![CDATA[]]></C></xml>\n",
    "<xml><A>1</A><A>2</A></xml>",
    "<xml><Content><![CDATA[我想问一下流量 ]] > <b>&amp;</b>]]></Content></xml>",
]
NOT_FLAT = [
    "<xml><A><![CDATA[a]]]]><![CDATA[>b]]></A></xml>",  # "]]>" split across two sections
    "<xml><A>a&amp;b</A></xml>",  # a reference
    "<xml><A>a\rb</A></xml>",  # the parser turns CR LF into LF
    "<xml><A><B>1</B></A></xml>",  # nested, as PUBLISHJOBFINISH is
    "<xml><A>x</A>\u3000</xml>",  # text between fields
    '<?xml version="1.0"?><xml><A>1</A></xml>',
    "<xml><A x='1'>1</A></xml>",
]
BROKEN = [
    "<xml><A><![CDATA[x]]>junk]]></A></xml>",
    "<xml><A><![CDATA[a\x01]]></A></xml>",
    "<xml><A>1</A></xml>junk",
    "<xml><a>1</b></xml>",
    '<!DOCTYPE xml [<!ENTITY a "b">]><xml><A>&a;</A></xml>',
]


def _fields(root):
    return [(node.tag, node.text) for node in root]


def _parsed(body):
    return fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)


@pytest.mark.parametrize("body", FLAT)
def test_a_flat_message_reads_as_the_xml_parser_reads_it(body):
    root = _flat_root(body.encode())
    assert root is not None
    assert _fields(root) == _fields(_parsed(body.encode()))


@pytest.mark.parametrize("body", NOT_FLAT)
def test_other_well_formed_bodies_go_to_the_xml_parser(body):
    assert _flat_root(body.encode()) is None
    assert _fields(parse_root(body.encode())) == _fields(_parsed(body.encode()))


@pytest.mark.parametrize("body", BROKEN)
def test_broken_or_hostile_bodies_are_refused(body):
    assert _flat_root(body.encode()) is None
    with pytest.raises(MalformedMessage):
        parse_root(body.encode())


def test_a_body_that_is_not_utf8_is_left_to_the_parser():
    assert _flat_root("<xml><A>流量</A></xml>".encode("gbk")) is None


# Pieces of WeChat's flat form and of everything next to it: the reader must take a body
# exactly when it reads as the XML parser reads it, and leave the rest to the parser.
TEXTS = ["", "a", " spaced ", "流量", "]", "]]", "]] >", "x]]>y", "&amp;", "&a;", "<", ">", "\x00", "\x01", "\x1f",
         "\t", "\n", "\r", "\r\n", "\ufffe", "\uffff", "\ud7ff", "\ue000", "😀", "A" * 300]
NAMES = ["A", "Content", "_x", "a1", "1a", "A-B", "A" * 64, "A" * 65, "xml"]


def _field(name, text, cdata, closing):
    inner = f"<![CDATA[{text}]]>" if cdata else text
    return f"<{name}>{inner}</{closing or name}>"


# Mostly the flat form, so that most bodies come near the line between the two readers.
field = st.builds(_field, st.sampled_from(NAMES), st.sampled_from(TEXTS) | st.text(max_size=6), st.booleans(),
                  st.sampled_from([""] * 9 + ["B"]))
glue = st.sampled_from([""] * 12 + ["\n", " \t", "\r\n", "\u3000", "<B>1</B>", "<A><B>1</B></A>", "junk", "&amp;"])
head = st.sampled_from(["<xml>"] * 12 + ['<?xml version="1.0"?><xml>', "<xml a='1'>", "<XML>", " <xml>",
                                         '<!DOCTYPE xml [<!ENTITY a "b">]><xml>'])
tail = st.sampled_from(["</xml>"] * 8 + ["</xml>\n", "</xml>junk", "", "</xml><xml></xml>"])


@st.composite
def bodies(draw):
    parts = draw(st.lists(st.tuples(glue, field), max_size=6))
    return (draw(head) + "".join(g + f for g, f in parts) + draw(glue) + draw(tail)).encode("utf-8", "surrogatepass")


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("cdata", [True, False])
def test_each_kind_of_text_in_a_field_reads_as_the_parser_reads_it(text, cdata):
    body = ("<xml>" + _field("Content", text, cdata, "") + "<MsgId>1</MsgId></xml>").encode("utf-8", "surrogatepass")
    _check_read_alike(body)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies())
def test_the_flat_reader_reads_what_the_parser_reads_or_leaves_the_body_to_it(body):
    _check_read_alike(body)


def _check_read_alike(body):
    root = _flat_root(body)
    try:
        parsed = _parsed(body)
    except (ParseError, DefusedXmlException, ValueError):  # broken, a DTD, an entity...
        parsed = None
    expected = _fields(parsed) if parsed is not None and parsed.tag == "xml" else None
    if root is not None:
        assert _fields(root) == expected
    elif expected is None:
        with pytest.raises(MalformedMessage):
            parse_root(body)
    elif len(body) <= MAX_BODY_BYTES:
        assert _fields(parse_root(body)) == expected


def test_a_body_over_the_limit_is_refused_before_reading():
    body = ("<xml><Content>" + "a" * MAX_BODY_BYTES + "</Content></xml>").encode()
    with pytest.raises(MalformedMessage, match="too large"):
        parse_root(body)
