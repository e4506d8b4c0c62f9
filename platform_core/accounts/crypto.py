"""SEC-2: field-level encryption of ID numbers and bank account numbers (Fernet, keys from settings).

``settings.FIELD_ENCRYPTION_KEYS`` lists Fernet keys, newest first. Values are encrypted with the newest
key and decrypted with any of them (``MultiFernet``), so a key is rotated by prepending a new one, running
``field_value_rotate`` over the stored values (or just letting rows be rewritten), then dropping the old.

``EncryptedTextField`` stores the Fernet token and returns the clear text on read. Tokens are not
deterministic, so the column cannot be searched or made unique: keep a separate non-secret field for that
(e.g. the last 4 digits for display).
"""

from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

_cache: dict[tuple[str, ...], MultiFernet] = {}


def _fernet() -> MultiFernet:
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        raise ImproperlyConfigured(
            "SEC-2: settings.FIELD_ENCRYPTION_KEYS is empty; give at least one Fernet key."
        )
    fernet = _cache.get(keys)
    if fernet is None:
        try:
            fernet = MultiFernet([Fernet(key) for key in keys])
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(
                f"SEC-2: a FIELD_ENCRYPTION_KEYS entry is not a Fernet key: {exc}"
            ) from exc
        _cache[keys] = fernet
    return fernet


def encrypt_text(value: str) -> str:
    """The Fernet token (ASCII) of ``value``, made with the newest key."""
    return _fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    """The clear text of a token made with any configured key; ImproperlyConfigured if no key fits."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "SEC-2: a stored value cannot be decrypted with FIELD_ENCRYPTION_KEYS (was its key removed?)."
        ) from exc


def field_value_rotate(token: str) -> str:
    """Re-encrypt a token with the newest key (key rotation; the old key must still be configured)."""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token; Python code sees the clear text (SEC-2).

    Only ``isnull`` lookups make sense on it; equality on clear text can never match a token.
    """

    description = "Text encrypted at rest (Fernet)"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))
