"""WeChat's flat messages are read without the XML parser: what the endpoint reads of
a body is what defusedxml reads of it, and every body outside that flat form, hostile
ones included, is still left to defusedxml."""

import pytest
from defusedxml.ElementTree import fromstring

from callback.messages import MalformedMessage, _flat_root, parse_root

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
