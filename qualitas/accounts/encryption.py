"""Encryption at rest for secrets the server must read back: the TOTP seeds of two-factor devices.

Hashes cannot be used for these (the server computes codes from the seed), so they are encrypted
with Fernet (AES-128-CBC with an HMAC-SHA256 tag) under a key derived from ``SECRET_KEY`` with
HKDF-SHA256 (RFC 5869). The ``info`` label ties the key to this one purpose, so the same
``SECRET_KEY`` never yields the same key for anything else.

Values encrypted under a key in ``SECRET_KEY_FALLBACKS`` still decrypt, so a rotation that keeps
the old key there for a while loses nothing (docs/deployment.md, "Secret key rotation").
"""

import base64
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.encoding import force_bytes

#: The HKDF ``info`` of the TOTP secret key; change the version to derive a new, unrelated key.
TOTP_SECRET_PURPOSE = b"qualitas.accounts.totp_secret.v1"

#: A TOTP seed in clear is base32 (RFC 4648): what the migration encrypts.
PLAIN_BASE32 = re.compile(r"[A-Z2-7]+=*")


class DecryptionFailed(Exception):
    """The value was not encrypted under ``SECRET_KEY`` or one of ``SECRET_KEY_FALLBACKS``."""


def derive_key(secret_key, purpose=TOTP_SECRET_PURPOSE):
    """A Fernet key (32 bytes, URL-safe base64) derived from ``secret_key`` for ``purpose``."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose)
    return base64.urlsafe_b64encode(hkdf.derive(force_bytes(secret_key)))


@lru_cache(maxsize=8)
def _fernet(secret_keys, purpose):
    # The first key encrypts; every key decrypts.
    return MultiFernet([Fernet(derive_key(key, purpose)) for key in secret_keys])


def _current(purpose):
    keys = (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ()))
    return _fernet(tuple(keys), purpose)


def encrypt(value, purpose=TOTP_SECRET_PURPOSE):
    return _current(purpose).encrypt(value.encode()).decode("ascii")


def decrypt(token, purpose=TOTP_SECRET_PURPOSE):
    """The clear value; raises ``DecryptionFailed`` when no current or fallback key opens it."""
    try:
        return _current(purpose).decrypt((token or "").encode("ascii")).decode()
    except (InvalidToken, UnicodeError, ValueError) as error:
        raise DecryptionFailed(
            "The value cannot be decrypted with SECRET_KEY or SECRET_KEY_FALLBACKS."
        ) from error


def is_plain_totp_secret(value):
    """Whether ``value`` is a TOTP seed in clear (from before encryption) rather than a token."""
    return bool(PLAIN_BASE32.fullmatch(value or ""))
