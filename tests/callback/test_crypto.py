"""The safe-mode envelope and signatures, cross-checked against wechatpy in both directions."""

import base64
import random
import struct
from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from wechatpy.crypto import PrpCrypto
from wechatpy.utils import check_signature

from callback.crypto import (
    EnvelopeError,
    MessageCrypto,
    decode_aes_key,
    signature,
    signature_matches,
)

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


def _fresh_seal(message, prefix, app_id=APP_ID):
    """The envelope as a fresh CBC context and the library's PKCS#7 make it."""
    padder = padding.PKCS7(256).padder()
    padded = padder.update(prefix + struct.pack(">I", len(message)) + message + app_id.encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(KEY), modes.CBC(KEY[:16])).encryptor()
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode()


def test_kept_contexts_give_what_fresh_contexts_give_message_after_message():
    # given: one account's crypto sealing and opening many messages in turn, as a worker does
    rng = random.Random(22)
    crypto = MessageCrypto(KEY, APP_ID)
    for n in range(300):
        message, prefix = rng.randbytes(rng.randrange(0, 200)), rng.randbytes(16)
        # when
        sealed = crypto.seal(message, random_prefix=prefix)
        # then: each envelope is CBC with the IV, whatever came before it on the contexts
        assert sealed == _fresh_seal(message, prefix)
        assert crypto.open(_fresh_seal(message[::-1], prefix)) == message[::-1]
        if n % 7 == 0:  # a refused payload in between leaves the next one unharmed
            with pytest.raises(EnvelopeError):
                crypto.open(base64.b64encode(rng.randbytes(48)).decode())
        assert crypto.open(sealed) == message


def test_threads_keep_contexts_of_their_own():
    # given
    crypto = MessageCrypto(KEY, APP_ID)
    messages = [f"<xml>{n}</xml>".encode() * (n % 9 + 1) for n in range(400)]

    def round_trip(message):
        prefix = bytes([len(message) % 256]) * 16
        sealed = crypto.seal(message, random_prefix=prefix)
        return sealed == _fresh_seal(message, prefix) and crypto.open(sealed) == message

    # when
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(round_trip, messages))
    # then
    assert all(results)


def _raw_envelope(plain):
    encryptor = Cipher(algorithms.AES(KEY), modes.CBC(KEY[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


@pytest.mark.parametrize("tail", [b"\x00", b"\x21", b"\xff", b"\x03\x02\x03", b"\x05" * 4])
def test_bad_padding_is_refused(tail):
    # given: a well-formed header, message and AppID, then a wrong PKCS#7 tail
    body = b"R" * 16 + struct.pack(">I", 3) + b"abc" + APP_ID.encode()
    plain = body + b"x" * (-(len(body) + len(tail)) % 32) + tail
    # when / then
    with pytest.raises(EnvelopeError, match="padding"):
        MessageCrypto(KEY, APP_ID).open(_raw_envelope(plain))


def test_length_field_past_the_payload_is_refused():
    body = b"R" * 16 + struct.pack(">I", 999) + b"abc" + APP_ID.encode()
    pad = 32 - len(body) % 32
    with pytest.raises(EnvelopeError, match="length"):
        MessageCrypto(KEY, APP_ID).open(_raw_envelope(body + bytes([pad]) * pad))


def test_one_block_payload_is_refused():
    with pytest.raises(EnvelopeError):
        MessageCrypto(KEY, APP_ID).open(_raw_envelope(b"\x10" * 16))


def test_random_prefix_must_be_one_block():
    with pytest.raises(ValueError):
        MessageCrypto(KEY, APP_ID).seal(b"<xml/>", random_prefix=b"short")


def test_reply_prefix_and_nonce_are_a_function_of_delivery_and_message():
    # given
    crypto = MessageCrypto(KEY, APP_ID)
    # when
    first = crypto.reply_prefix_and_nonce("m:1", b"<xml>a</xml>")
    # then
    assert first == MessageCrypto(KEY, APP_ID).reply_prefix_and_nonce("m:1", b"<xml>a</xml>")
    assert first != crypto.reply_prefix_and_nonce("m:2", b"<xml>a</xml>")
    assert first != crypto.reply_prefix_and_nonce("m:1", b"<xml>b</xml>")
    prefix, nonce = first
    assert len(prefix) == 16 and len(nonce) == 10 and nonce.isdigit()
