"""Ed25519 signatures over the audit log's checkpoints (``cryptography``'s public API).

The key comes from settings (``SECURECOMM_AUDIT_SIGNING_KEY``, the 32-byte private key
in base64). The development default is public knowledge and refused outside development
(``config.Settings``); anyone holding the public key can verify a checkpoint.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from securecomm.exceptions import ConfigurationError

RAW = serialization.Encoding.Raw
RAW_PUBLIC = serialization.PublicFormat.Raw


class CheckpointSigner:
    def __init__(self, private_key_b64: str) -> None:
        try:
            seed = base64.b64decode(private_key_b64, validate=True)
            self._key = Ed25519PrivateKey.from_private_bytes(seed)
        except (binascii.Error, ValueError) as error:
            raise ConfigurationError(
                "SECURECOMM_AUDIT_SIGNING_KEY must be a 32-byte Ed25519 private key in "
                f"base64 ({error}); make one with `securecomm audit new-key`"
            ) from None
        self.public_key = self._key.public_key()

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    def sign(self, message: bytes) -> str:
        return self._key.sign(message).hex()


def key_id(public_key: Ed25519PublicKey) -> str:
    return hashlib.sha256(public_key.public_bytes(RAW, RAW_PUBLIC)).hexdigest()[:16]


def public_key_b64(public_key: Ed25519PublicKey) -> str:
    return base64.b64encode(public_key.public_bytes(RAW, RAW_PUBLIC)).decode()


def verify_signature(public_key: Ed25519PublicKey, signature_hex: str, message: bytes) -> bool:
    try:
        public_key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def new_private_key_b64() -> str:
    key = Ed25519PrivateKey.generate()
    seed = key.private_bytes(RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    return base64.b64encode(seed).decode()
