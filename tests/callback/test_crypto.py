"""The safe-mode envelope and signatures, cross-checked against wechatpy in both directions."""

import base64
import struct

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from wechatpy.crypto import PrpCrypto
from wechatpy.utils import check_signature

from callback.crypto import EnvelopeError, MessageCrypto, decode_aes_key, signature, signature_matches

from .conftest import AES_KEY

APP_ID = "wx0000000000000001"
KEY = decode_aes_key(AES_KEY)


def test_signature_is_what_wechatpy_checks():
    # given
    sig = signature("token", "1700000000", "12345")
    # when / then (check_signature raises on mismatch)
    check_signature("token", sig, "1700000000", "12345")
    assert signature_matches(sig, "token", "1700000000", "12345")
    assert not signature_matches(sig, "token", "1700000001", "12345")
    assert not signature_matches("", "token", "1700000000", "12345")


@pytest.mark.parametrize("message", [b"", b"<xml>a</xml>", "中文消息".encode() * 50, b"x" * 4, b"y" * 12])
def test_envelope_sealed_here_opens_with_wechatpy(message):
    # given
    sealed = MessageCrypto(KEY, APP_ID).seal(message)
    # when
    opened = PrpCrypto(KEY).decrypt(sealed, APP_ID)
    # then
    assert opened == message.decode("utf-8")


@pytest.mark.parametrize("message", ["<xml>a</xml>", "中文消息" * 50, "z" * 12])
def test_envelope_sealed_by_wechatpy_opens_here(message):
    # given
    sealed = PrpCrypto(KEY).encrypt(message, APP_ID)
    # when
    opened = MessageCrypto(KEY, APP_ID).open(sealed)
    # then
    assert opened == message.encode("utf-8")


def test_envelope_layout_is_random_length_message_appid_padded_to_32():
    # given
    prefix = b"R" * 16
    sealed = MessageCrypto(KEY, APP_ID).seal(b"<xml/>", random_prefix=prefix)
    # when: decrypt by hand with the IV being the key's first 16 bytes
    raw = base64.b64decode(sealed)
    decryptor = Cipher(algorithms.AES(KEY), modes.CBC(KEY[:16])).decryptor()
    plain = decryptor.update(raw) + decryptor.finalize()
    # then
    assert len(raw) % 32 == 0
    pad = plain[-1]
    assert 1 <= pad <= 32 and plain[-pad:] == bytes([pad]) * pad
    body = plain[:-pad]
    assert body[:16] == prefix
    assert struct.unpack(">I", body[16:20])[0] == 6
    assert body[20:26] == b"<xml/>" and body[26:] == APP_ID.encode()


def test_message_of_exactly_a_block_gets_a_full_block_of_padding():
    # given: 16 random + 4 length + 12 message + 0 AppID = 32 bytes before padding
    crypto = MessageCrypto(KEY, "")
    # when
    raw = base64.b64decode(crypto.seal(b"a" * 12))
    # then: PKCS#7 adds a whole 32-byte block
    assert len(raw) == 64


@pytest.mark.parametrize(
    "payload",
    [
        "not base64 !!",
        base64.b64encode(b"short").decode(),
        base64.b64encode(b"\x00" * 32).decode(),
        "",
    ],
)
def test_broken_payloads_are_refused(payload):
    with pytest.raises(EnvelopeError):
        MessageCrypto(KEY, APP_ID).open(payload)


def test_payload_of_another_appid_is_refused():
    # given
    sealed = PrpCrypto(KEY).encrypt("<xml/>", "wx-other-app")
    # when / then
    with pytest.raises(EnvelopeError, match="AppID"):
        MessageCrypto(KEY, APP_ID).open(sealed)


def test_payload_sealed_with_another_key_is_refused():
    # given
    other = decode_aes_key(base64.b64encode(bytes(range(1, 33))).decode().rstrip("="))
    sealed = MessageCrypto(other, APP_ID).seal(b"<xml/>")
    # when / then
    with pytest.raises(EnvelopeError):
        MessageCrypto(KEY, APP_ID).open(sealed)


@pytest.mark.parametrize("key", ["", "short", "!" * 43])
def test_malformed_encoding_aes_key_is_refused(key):
    with pytest.raises(EnvelopeError):
        decode_aes_key(key)
