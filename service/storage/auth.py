"""API tokens: random secrets shown once, stored only as SHA-256 hashes.

A stolen database (or backup) must not let anyone act as a user, so the plaintext token never
touches storage. Tokens carry 256 bits of randomness, so a plain (unsalted) SHA-256 is enough:
there is nothing to brute-force, and an unsalted hash can be looked up by an index.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_PREFIX = "ct_"
"""Marks calltone tokens so they are recognisable in logs and by secret scanners."""

TOKEN_HASH_CHARS = 64
"""Length of the hex SHA-256 digest stored in ``tokens.token_hash``."""

_TOKEN_RANDOM_BYTES = 32


def new_token() -> str:
    """A fresh bearer token: ``ct_`` + 32 random bytes, URL-safe base64 (43 characters)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(_TOKEN_RANDOM_BYTES)


def hash_token(token: str) -> str:
    """The hex SHA-256 digest under which ``token`` is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    """Constant-time check that ``token`` hashes to ``stored_hash``.

    The lookup by hash already found the row; comparing again with ``hmac.compare_digest`` keeps
    the final decision free of timing differences whatever the database's index does.
    """
    return hmac.compare_digest(hash_token(token), stored_hash)


def looks_like_token(token: str) -> bool:
    """Cheap shape check so obvious garbage never reaches the database."""
    return token.startswith(TOKEN_PREFIX) and 20 <= len(token) <= 200
