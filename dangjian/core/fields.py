"""Model fields that encrypt at rest (see dangjian.core.crypto)."""
from __future__ import annotations

from collections.abc import Callable

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """A text column stored as AEAD ciphertext; Python code sees plaintext.

    ``blind_index`` names a sibling CharField that receives the HMAC of the normalized value on
    every save (including bulk_create), so lookups and uniqueness work without decrypting.
    Reading a tampered value raises ``crypto.DecryptionError``.
    """

    def __init__(self, *args, blind_index: str | None = None, normalizer: Callable[[str], str] | None = None, **kwargs):
        self.blind_index = blind_index
        self.normalizer = normalizer
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.blind_index:
            kwargs["blind_index"] = self.blind_index
        return name, path, args, kwargs

    @property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value, expression, connection):
        if not value:
            return ""
        return crypto.decrypt(value, self.label)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return ""
        return crypto.encrypt(value, self.label)

    def get_lookup(self, lookup_name):
        """Only ``isnull`` works on ciphertext; anything else would silently match nothing.
        Exact lookups go through the blind index (``<field>_bidx``) instead."""
        if lookup_name not in ("isnull",):
            return None
        return super().get_lookup(lookup_name)

    def normalize(self, value: str) -> str:
        return self.normalizer(value) if self.normalizer else value

    def index_of(self, value: str) -> str:
        """Blind index for a lookup value (normalized the same way as on save)."""
        return crypto.blind_index(self.normalize(value), self.label) if value else ""

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if self.blind_index:
            setattr(model_instance, self.blind_index, self.index_of(value) if value else None)
        return value
