"""Envelope encryption of secrets at rest (QBO tokens): AES-256-GCM under a per-write data key.

The data key comes from KMS in production (GenerateDataKey / Decrypt with an encryption context naming the
account, so a sealed value copied to another account's item does not open) and from a local master key in
`make run` and tests. Only the wrapped data key and the ciphertext are stored: a table scan shows no token.

Configuration (read when used): TOKEN_KMS_KEY_ID (deployed), else TOKEN_LOCAL_KEY (base64 of 32 bytes), else,
only with LOCAL_DEV=1, a public dev key (like the dev JWT secret: never for real tokens).
"""
from __future__ import annotations

import base64
import json
import os
import secrets
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from .. import config

NONCE_BYTES = 12
DEV_LOCAL_KEY = base64.b64encode(b"dev-only-token-key-never-in-prod").decode()  # 32 bytes


class SealingNotConfigured(RuntimeError):
    """No KMS key and no local key outside a local run: refuse to store tokens in the clear."""


class SealBroken(RuntimeError):
    """A sealed value does not open with this key and context (tampered, moved or the wrong key)."""


@dataclass(frozen=True)
class Sealed:
    """What is stored: ciphertext (nonce + AES-GCM output) and the data key as the key source wrapped it."""

    ciphertext: str
    wrapped_key: str
    key_source: str  # "kms" | "local"


class KeySource(Protocol):
    name: str

    def new_data_key(self, context: dict[str, str]) -> tuple[bytes, bytes]: ...

    def unwrap(self, wrapped: bytes, context: dict[str, str]) -> bytes: ...


class KmsKeys:
    """Data keys from AWS KMS (the template's key; the Lambdas may only GenerateDataKey and Decrypt with it)."""

    name = "kms"

    def __init__(self, key_id: str) -> None:
        self.key_id = key_id

    def new_data_key(self, context: dict[str, str]) -> tuple[bytes, bytes]:
        answer = _kms().generate_data_key(KeyId=self.key_id, KeySpec="AES_256", EncryptionContext=context)
        return answer["Plaintext"], answer["CiphertextBlob"]

    def unwrap(self, wrapped: bytes, context: dict[str, str]) -> bytes:
        return _kms_decrypt(wrapped, tuple(sorted(context.items())))


@lru_cache(maxsize=256)
def _kms_decrypt(wrapped: bytes, context: tuple[tuple[str, str], ...]) -> bytes:
    """One KMS Decrypt per data key per warm Lambda (a data key changes only when tokens are written)."""
    return _kms().decrypt(CiphertextBlob=wrapped, EncryptionContext=dict(context))["Plaintext"]


_KMS_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _kms():
    import boto3

    with _KMS_LOCK:  # boto3's default session is not thread-safe, and the worker's groups may read tokens at once
        return boto3.client("kms", region_name=config.aws_region())


class LocalKeys:
    """Data keys wrapped by a local master key (AES-GCM, the context as associated data)."""

    name = "local"

    def __init__(self, master: bytes) -> None:
        if len(master) != 32:
            raise SealingNotConfigured("TOKEN_LOCAL_KEY must be base64 of 32 bytes")
        self._master = AESGCM(master)

    def new_data_key(self, context: dict[str, str]) -> tuple[bytes, bytes]:
        key = secrets.token_bytes(32)
        return key, _encrypt(self._master, key, context)

    def unwrap(self, wrapped: bytes, context: dict[str, str]) -> bytes:
        return _decrypt(self._master, wrapped, context)


def key_source() -> KeySource:
    """The configured key source (see the module docstring)."""
    kms_key = os.environ.get("TOKEN_KMS_KEY_ID")
    if kms_key:
        return KmsKeys(kms_key)
    local = os.environ.get("TOKEN_LOCAL_KEY") or (DEV_LOCAL_KEY if os.environ.get("LOCAL_DEV") == "1" else None)
    if not local:
        raise SealingNotConfigured("set TOKEN_KMS_KEY_ID (deployed) or TOKEN_LOCAL_KEY (local) to store tokens")
    return LocalKeys(base64.b64decode(local))


def seal(plaintext: bytes, context: dict[str, str], source: KeySource | None = None) -> Sealed:
    """Encrypt under a fresh data key bound to `context`."""
    source = source or key_source()
    data_key, wrapped = source.new_data_key(context)
    return Sealed(_b64(_encrypt(AESGCM(data_key), plaintext, context)), _b64(wrapped), source.name)


def open_sealed(sealed: Sealed, context: dict[str, str], source: KeySource | None = None) -> bytes:
    """Decrypt what `seal` stored; any mismatch of key, context or bytes is SealBroken."""
    source = source or key_source()
    if source.name != sealed.key_source:
        raise SealBroken(f"sealed with the {sealed.key_source} key source, configured is {source.name}")
    try:
        data_key = source.unwrap(base64.b64decode(sealed.wrapped_key), context)
        return _decrypt(AESGCM(data_key), base64.b64decode(sealed.ciphertext), context)
    except SealBroken:
        raise
    except Exception as error:  # InvalidTag, KMS InvalidCiphertextException, bad base64
        raise SealBroken("the sealed value does not open with this key and context") from error


def AESGCM(key: bytes):  # noqa: N802 - reads as the class it builds; imported when first used (cold start)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM as cipher

    return cipher(key)


def _aad(context: dict[str, str]) -> bytes:
    return json.dumps(context, sort_keys=True, separators=(",", ":")).encode()


def _encrypt(cipher: AESGCM, plaintext: bytes, context: dict[str, str]) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + cipher.encrypt(nonce, plaintext, _aad(context))


def _decrypt(cipher: AESGCM, blob: bytes, context: dict[str, str]) -> bytes:
    try:
        return cipher.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], _aad(context))
    except Exception as error:
        raise SealBroken("the sealed value does not open with this key and context") from error


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
