"""Random secrets and their stored digests: invitation tokens, API keys and recovery codes.

Each secret is random enough (at least 60 bits) that a plain SHA-256 is a safe way to store it:
nobody can guess a preimage, so no slow password hash is needed, and a digest can be looked up
directly.
"""

import hashlib
import secrets

API_KEY_PREFIX = "qlt_"
#: Characters of the key kept in clear so that a person can tell their tokens apart.
API_KEY_VISIBLE = 12
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper


def digest(value):
    return hashlib.sha256(value.encode()).hexdigest()


def new_invitation_token():
    """A URL-safe token (256 bits) and its digest."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def new_api_key():
    """``(key, prefix, digest)`` for a new API key such as ``qlt_Xy3…``."""
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return key, key[:API_KEY_VISIBLE], digest(key)


def new_recovery_code():
    """A code such as ``k7pm-3xqa-9fde`` (about 59 bits)."""
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_recovery_code(value):
    cleaned = "".join(ch for ch in (value or "").lower() if ch.isalnum())
    if len(cleaned) != 12:
        return None
    return f"{cleaned[:4]}-{cleaned[4:8]}-{cleaned[8:]}"
