"""WeChat's callback signatures and the safe-mode message envelope.

Envelope (WeChat "消息加解密"): random 16 bytes + message length (4 bytes, network
order) + message + AppID, PKCS#7-padded to 32-byte blocks, AES-256-CBC with the
key decoded from the 43-character EncodingAESKey and the IV its first 16 bytes,
then base64. AES-CBC comes from the ``cryptography`` library (its contexts kept per
thread, see ``MessageCrypto``); PKCS#7 and base64 are a few bytes operations.
Signatures are SHA-1 as WeChat defines them, the replies' derived bytes keyed BLAKE2b."""

import base64
import binascii
import hashlib
import hmac
import secrets
import threading

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK_BYTES = 16
# WeChat pads to 32 bytes, not to AES's 16-byte block.
PAD_BYTES = 32
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


class _Contexts(threading.local):
    """A thread's AES-256-CBC contexts of one account, and the last block it sealed."""

    def __init__(self, cipher, iv):
        self.encryptor, self.decryptor = cipher.encryptor(), cipher.decryptor()
        self.sealed_last = iv


def _xor3(a, b, c):
    """Three 16-byte blocks XORed."""
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big") ^ int.from_bytes(c, "big")).to_bytes(16, "big")


class MessageCrypto:
    """Seals and opens safe-mode envelopes of one official account.

    Each thread keeps one encryption and one decryption context of the account for all
    its messages: setting up an OpenSSL context per message cost more CPU on the server,
    where its code is cold between requests, than the AES itself. A CBC context chains
    each block to the ciphertext block before it (c[i] = E(p[i] ^ c[i-1]), c[-1] = IV),
    so after a message it chains to that message's last block instead of the IV. Opening
    feeds the IV as a ciphertext block first and drops its output: the context then
    chains to the IV. Sealing gives the context p[0] ^ IV ^ last, which it turns into
    E(p[0] ^ IV), as CBC with the IV would. Every other block is the library's CBC
    unchanged; the tests check both against fresh contexts and wechatpy."""

    __slots__ = ("_app_id", "_contexts", "_iv", "_key", "_reply_key")

    def __init__(self, aes_key, app_id):
        self._key = aes_key
        self._iv = aes_key[:BLOCK_BYTES]
        self._app_id = app_id.encode("utf-8")
        # A key of its own for the replies' derived randomness, not the AES key itself.
        self._reply_key = hmac.new(aes_key, b"wechat reply envelope", hashlib.sha256).digest()
        self._contexts = _Contexts(Cipher(algorithms.AES(aes_key), modes.CBC(self._iv)), self._iv)

    def seal(self, message, random_prefix=None):
        """Base64 ciphertext of ``message`` (bytes) for this account."""
        prefix = random_prefix if random_prefix is not None else secrets.token_bytes(RANDOM_BYTES)
        if len(prefix) != RANDOM_BYTES:
            raise ValueError(f"the random prefix is {RANDOM_BYTES} bytes")
        rest = len(message).to_bytes(LENGTH_BYTES, "big") + message + self._app_id
        pad = PAD_BYTES - (RANDOM_BYTES + len(rest)) % PAD_BYTES  # PKCS#7: 1 to 32 bytes, each their count
        contexts = self._contexts
        sealed = contexts.encryptor.update(_xor3(prefix, self._iv, contexts.sealed_last) + rest + bytes((pad,)) * pad)
        contexts.sealed_last = sealed[-BLOCK_BYTES:]
        return binascii.b2a_base64(sealed, newline=False).decode("ascii")

    def open(self, encrypted):
        """The message bytes inside a base64 envelope; EnvelopeError when it is not ours."""
        try:
            raw = binascii.a2b_base64(encrypted, strict_mode=True)
        except (binascii.Error, ValueError) as exc:
            raise EnvelopeError("payload is not base64") from exc
        if not raw or len(raw) % BLOCK_BYTES:
            raise EnvelopeError("payload is not whole AES blocks")
        plain = self._contexts.decryptor.update(self._iv + raw)[BLOCK_BYTES:]
        # No padding oracle: only a payload whose msg_signature matched gets here.
        pad = plain[-1]
        if not 1 <= pad <= min(PAD_BYTES, len(plain)) or plain[-pad:] != bytes((pad,)) * pad:
            raise EnvelopeError("bad padding")
        header = RANDOM_BYTES + LENGTH_BYTES
        if len(plain) - pad < header:
            raise EnvelopeError("payload too short")
        end = header + int.from_bytes(plain[RANDOM_BYTES:header], "big")
        if end > len(plain) - pad:
            raise EnvelopeError("length field exceeds payload")
        if not hmac.compare_digest(plain[end:-pad], self._app_id):
            raise EnvelopeError("AppID does not match the account")
        return plain[header:end]

    def reply_prefix_and_nonce(self, delivery_id, message):
        """An envelope's 16 "random" bytes and its decimal nonce (ten digits, like WeChat's
        own) for the reply ``message`` to one delivery: a MAC of the two under this
        account's key (keyed BLAKE2b, CPython's own, a third cheaper than an HMAC through
        OpenSSL), so a retry answered with the same message gets the same envelope bytes,
        and no two deliveries or messages share them."""
        drawn = hashlib.blake2b(delivery_id.encode("utf-8") + b"\0" + message, digest_size=RANDOM_BYTES + 4,
                                key=self._reply_key).digest()
        return drawn[:RANDOM_BYTES], str(1_000_000_000 + int.from_bytes(drawn[RANDOM_BYTES:], "big"))
