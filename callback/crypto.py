"""WeChat's callback signatures and the safe-mode message envelope.

Envelope (WeChat "消息加解密"): random 16 bytes + message length (4 bytes, network
order) + message + AppID, PKCS#7-padded to 32-byte blocks, AES-256-CBC with the
key decoded from the 43-character EncodingAESKey and the IV its first 16 bytes,
then base64. AES and PKCS#7 come from the ``cryptography`` library; nothing here
is a home-made primitive."""

import base64
import binascii
import hashlib
import hmac
import secrets
import struct

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# WeChat pads to 32 bytes, not to AES's 16-byte block.
PAD_BITS = 256
RANDOM_BYTES = 16
LENGTH_BYTES = 4


class EnvelopeError(ValueError):
    """A safe-mode payload that cannot be opened: bad base64, key, padding or AppID."""


def signature(*parts):
    """SHA-1 hex of the parts sorted and joined, as WeChat signs callbacks."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def signature_matches(expected, *parts):
    """Constant-time comparison of a received signature with the one the parts give."""
    if not expected or not isinstance(expected, str):
        return False
    return hmac.compare_digest(signature(*parts).encode("ascii"), expected.encode("utf-8", "replace"))


def decode_aes_key(encoding_aes_key):
    """The 32-byte AES key of a 43-character EncodingAESKey."""
    if not encoding_aes_key or len(encoding_aes_key) != 43:
        raise EnvelopeError("EncodingAESKey must be 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EnvelopeError("EncodingAESKey is not base64") from exc
    if len(key) != 32:
        raise EnvelopeError("EncodingAESKey does not decode to 32 bytes")
    return key


class MessageCrypto:
    """Seals and opens safe-mode envelopes of one official account."""

    __slots__ = ("_app_id", "_cipher", "_key", "_reply_key")

    def __init__(self, aes_key, app_id):
        self._key = aes_key
        self._app_id = app_id.encode("utf-8")
        # A key of its own for the replies' derived randomness, not the AES key itself.
        self._reply_key = hmac.new(aes_key, b"wechat reply envelope", hashlib.sha256).digest()
        # Reusable: each encryptor() or decryptor() is a fresh context.
        self._cipher = Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def seal(self, message, random_prefix=None):
        """Base64 ciphertext of ``message`` (bytes) for this account."""
        prefix = random_prefix if random_prefix is not None else secrets.token_bytes(RANDOM_BYTES)
        plain = prefix + struct.pack(">I", len(message)) + message + self._app_id
        padder = padding.PKCS7(PAD_BITS).padder()
        padded = padder.update(plain) + padder.finalize()
        encryptor = self._cipher.encryptor()
        return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode("ascii")

    def open(self, encrypted):
        """The message bytes inside a base64 envelope; EnvelopeError when it is not ours."""
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise EnvelopeError("payload is not base64") from exc
        if not raw or len(raw) % 16:
            raise EnvelopeError("payload is not whole AES blocks")
        decryptor = self._cipher.decryptor()
        padded = decryptor.update(raw) + decryptor.finalize()
        unpadder = padding.PKCS7(PAD_BITS).unpadder()
        try:
            plain = unpadder.update(padded) + unpadder.finalize()
        except ValueError as exc:
            raise EnvelopeError("bad padding") from exc
        header = RANDOM_BYTES + LENGTH_BYTES
        if len(plain) < header:
            raise EnvelopeError("payload too short")
        (length,) = struct.unpack(">I", plain[RANDOM_BYTES:header])
        if header + length > len(plain):
            raise EnvelopeError("length field exceeds payload")
        message, app_id = plain[header : header + length], plain[header + length :]
        if not hmac.compare_digest(app_id, self._app_id):
            raise EnvelopeError("AppID does not match the account")
        return message


    def reply_prefix_and_nonce(self, delivery_id, message):
        """An envelope's 16 "random" bytes and its decimal nonce (ten digits, like WeChat's
        own) for the reply ``message`` to one delivery: an HMAC of the two under this
        account's key, so a retry answered with the same message gets the same envelope
        bytes, and no two deliveries or messages share them."""
        drawn = hmac.new(self._reply_key, delivery_id.encode("utf-8") + b"\0" + message, hashlib.sha256).digest()
        return drawn[:RANDOM_BYTES], str(1_000_000_000 + int.from_bytes(drawn[RANDOM_BYTES : RANDOM_BYTES + 4], "big"))
