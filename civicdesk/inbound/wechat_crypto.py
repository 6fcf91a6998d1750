"""The WeChat message encryption (the official WXBizMsgCrypt scheme, 安全模式).

- The signature of a plain request: SHA-1 of token, timestamp and nonce, sorted and joined.
- ``msg_signature`` of an encrypted one: SHA-1 of token, timestamp, nonce and the ciphertext,
  sorted and joined.
- The key is the 43-character EncodingAESKey plus "=", read as Base64 (32 bytes);
  AES-256-CBC with the key's first 16 bytes as IV; the plaintext is 16 random bytes, the
  message's length (4 bytes, network order), the message (UTF-8) and the AppID, padded with
  PKCS#7 to a multiple of 32 bytes; the ciphertext travels as Base64.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32


class CryptoError(ValueError):
    """A message that cannot be decrypted or belongs to another account; ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324 (protocol)


def signature_matches(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected, (given or "").lower())


def aes_key(encoding_aes_key: str) -> bytes:
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(encoding_aes_key) != 43 or len(key) != 32:
        raise CryptoError("bad_key")
    return key


def _cipher(key: bytes) -> Cipher:
    return Cipher(algorithms.AES(key), modes.CBC(key[:16]))


def encrypt(
    message: str, *, encoding_aes_key: str, app_id: str, random: bytes | None = None
) -> str:
    key = aes_key(encoding_aes_key)
    body = message.encode()
    plain = (random or os.urandom(16)) + struct.pack(">I", len(body)) + body + app_id.encode()
    pad = BLOCK - len(plain) % BLOCK
    plain += bytes([pad]) * pad
    encryptor = _cipher(key).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def decrypt(ciphertext: str, *, encoding_aes_key: str, app_id: str) -> str:
    """The message inside ``ciphertext``; CryptoError if it is damaged or for another AppID."""
    key = aes_key(encoding_aes_key)
    try:
        data = base64.b64decode(ciphertext, validate=True)
    except (binascii.Error, ValueError):
        raise CryptoError("not_base64") from None
    if not data or len(data) % 16:
        raise CryptoError("bad_length")
    decryptor = _cipher(key).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
        raise CryptoError("bad_padding")
    content = plain[16:-pad]
    if len(content) < 4:
        raise CryptoError("bad_length")
    (length,) = struct.unpack(">I", content[:4])
    if length > len(content) - 4:
        raise CryptoError("bad_length")
    message, receiver = content[4 : 4 + length], content[4 + length :]
    if not hmac.compare_digest(receiver, app_id.encode()):
        raise CryptoError("other_app")
    try:
        return message.decode()
    except UnicodeDecodeError:
        raise CryptoError("not_utf8") from None
