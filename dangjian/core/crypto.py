"""Field encryption for sensitive personal information (SECURITY.md "Field encryption").

* AEAD: AES-256-GCM by default, SM4-GCM selectable (GB/T 39786-2021 commercial cryptography).
* Keys live in a key file (or the DANGJIAN_DATA_KEYS environment variable), never derived from
  SECRET_KEY. Each ciphertext starts with its key version (``v1:``) so keys can rotate and a
  re-encryption job can find old rows.
* The field label is the associated data: a ciphertext copied into another column fails.
* A keyed HMAC-SHA256 "blind index" of the normalized value allows exact lookup and a unique
  constraint without decrypting.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import config


class DecryptionError(Exception):
    """A ciphertext failed authentication: tampered, wrong column, or unknown key."""


@dataclass(frozen=True)
class DataKey:
    version: str
    algorithm: str  # "AES-256-GCM" | "SM4-GCM"
    key: bytes


@dataclass(frozen=True)
class Keyring:
    active: str
    keys: dict[str, DataKey]
    index_key: bytes

    @property
    def active_key(self) -> DataKey:
        return self.keys[self.active]


def load_or_create_secret(path: Path) -> str:
    """Return a persistent random secret stored in ``path`` (created 0600 on first use)."""
    path = Path(path)
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value


def new_keyfile_content(algorithm: str = "AES-256-GCM") -> dict:
    size = 32 if algorithm == "AES-256-GCM" else 16
    return {
        "active": "v1",
        "keys": {"v1": {"algorithm": algorithm, "key": base64.b64encode(secrets.token_bytes(size)).decode()}},
        "index_key": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


def _parse(data: dict) -> Keyring:
    keys = {
        version: DataKey(version, spec["algorithm"], base64.b64decode(spec["key"]))
        for version, spec in data["keys"].items()
    }
    return Keyring(active=data["active"], keys=keys, index_key=base64.b64decode(data["index_key"]))


@lru_cache(maxsize=1)
def keyring() -> Keyring:
    """Load the keyring: DANGJIAN_DATA_KEYS (JSON) first, else the key file (created if absent)."""

    raw = os.environ.get("DANGJIAN_DATA_KEYS")
    if raw:
        return _parse(json.loads(raw))
    path = Path(config.value("KEY_FILE"))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        content = new_keyfile_content(config.value("CRYPTO_ALGORITHM"))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(content, fh)
    return _parse(json.loads(path.read_text()))


def _sm4_gcm_encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(aad)
    return enc.update(plaintext) + enc.finalize() + enc.tag


def _sm4_gcm_decrypt(key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    ct, tag = data[:-16], data[-16:]
    dec = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    dec.authenticate_additional_data(aad)
    return dec.update(ct) + dec.finalize()


def encrypt(plaintext: str, label: str, ring: Keyring | None = None) -> str:
    """Encrypt ``plaintext`` bound to ``label`` (the column); returns ``version:base64``."""
    ring = ring or keyring()
    k = ring.active_key
    nonce = secrets.token_bytes(12)
    aad = label.encode()
    if k.algorithm == "SM4-GCM":
        body = _sm4_gcm_encrypt(k.key, nonce, plaintext.encode(), aad)
    else:
        body = AESGCM(k.key).encrypt(nonce, plaintext.encode(), aad)
    return f"{k.version}:{base64.b64encode(nonce + body).decode()}"


def decrypt(token: str, label: str, ring: Keyring | None = None) -> str:
    """Decrypt a value written by :func:`encrypt`; raise DecryptionError if it was altered."""
    ring = ring or keyring()
    try:
        version, b64 = token.split(":", 1)
        k = ring.keys[version]
        raw = base64.b64decode(b64, validate=True)
        nonce, body = raw[:12], raw[12:]
        if k.algorithm == "SM4-GCM":
            return _sm4_gcm_decrypt(k.key, nonce, body, label.encode()).decode()
        return AESGCM(k.key).decrypt(nonce, body, label.encode()).decode()
    except (InvalidTag, KeyError, ValueError) as exc:
        raise DecryptionError(f"ciphertext for {label} failed authentication") from exc


def blind_index(value: str, label: str, ring: Keyring | None = None) -> str:
    """Keyed HMAC-SHA256 of the normalized value, for exact lookup and uniqueness."""
    ring = ring or keyring()
    return hmac.new(ring.index_key, f"{label}\x00{value}".encode(), hashlib.sha256).hexdigest()


def key_version(token: str) -> str:
    return token.split(":", 1)[0]


FILE_MAGIC = b"DJE1"  # an encrypted file: magic, key version (length-prefixed), nonce, AEAD body


def encrypt_bytes(data: bytes, label: str, ring: Keyring | None = None) -> bytes:
    """Encrypt a file's content bound to ``label`` (e.g. ``job:42``) with the active data key."""
    ring = ring or keyring()
    k = ring.active_key
    nonce = secrets.token_bytes(12)
    aad = label.encode()
    body = _sm4_gcm_encrypt(k.key, nonce, data, aad) if k.algorithm == "SM4-GCM" else AESGCM(k.key).encrypt(nonce, data, aad)
    version = k.version.encode()
    return FILE_MAGIC + bytes([len(version)]) + version + nonce + body


def decrypt_bytes(blob: bytes, label: str, ring: Keyring | None = None) -> bytes:
    """Decrypt what :func:`encrypt_bytes` wrote; raise DecryptionError if it was altered or moved."""
    ring = ring or keyring()
    try:
        if not blob.startswith(FILE_MAGIC):
            raise ValueError("not an encrypted file")
        n = blob[len(FILE_MAGIC)]
        start = len(FILE_MAGIC) + 1
        version = blob[start:start + n].decode()
        nonce, body = blob[start + n:start + n + 12], blob[start + n + 12:]
        k = ring.keys[version]
        if k.algorithm == "SM4-GCM":
            return _sm4_gcm_decrypt(k.key, nonce, body, label.encode())
        return AESGCM(k.key).decrypt(nonce, body, label.encode())
    except (InvalidTag, KeyError, ValueError, IndexError, UnicodeDecodeError) as exc:
        raise DecryptionError(f"encrypted file for {label} failed authentication") from exc
