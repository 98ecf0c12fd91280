"""Who a sender is, without storing who they are.

A sender is known by HMAC-SHA256 of their bare number, keyed with
``BOT_SENDER_HASH_KEY`` (never stored in the database): a plain hash of a phone
number is brute-forced in minutes, a keyed one is not without the key. The same
number on SMS and WhatsApp is one sender, so one DELETE erases both.

The outbox must still know where to send a reply after a restart, so the
address is kept there sealed (AES-GCM, key derived from the same secret) and
wiped as soon as the reply is delivered or given up.

Rotating the key (docs/security.md): the old key is kept as ``previous`` for a
while. A sender's rows under the old id move to the new id when they write
again (``Conversations.rekey``), DELETE erases under both, and addresses sealed
with the old key still open.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

WHATSAPP_PREFIX = "whatsapp:"


def bare_address(address: str) -> str:
    """``whatsapp:+7 900 ...`` -> ``+7900...``: one identity across channels."""
    a = address.strip()
    if a.lower().startswith(WHATSAPP_PREFIX):
        a = a[len(WHATSAPP_PREFIX) :]
    return "".join(ch for ch in a if ch.isalnum() or ch == "+")


class Identity:
    def __init__(self, secret: str, previous: str | None = None) -> None:
        key = secret.encode("utf-8")
        self._hash_key = hmac.new(key, b"sender-id-v1", hashlib.sha256).digest()
        self._aead = AESGCM(hmac.new(key, b"outbox-address-v1", hashlib.sha256).digest())
        self._previous = Identity(previous) if previous and previous != secret else None

    def sender_id(self, address: str) -> str:
        return hmac.new(
            self._hash_key, bare_address(address).encode("utf-8"), hashlib.sha256
        ).hexdigest()

    def previous_id(self, address: str) -> str | None:
        """The sender's id under the key before a rotation, while it is configured."""
        return self._previous.sender_id(address) if self._previous else None

    def sender_ids(self, address: str) -> list[str]:
        """Every id the sender may have rows under: the current one first."""
        old = self.previous_id(address)
        return [self.sender_id(address)] + ([old] if old else [])

    def seal(self, address: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, address.encode("utf-8"), b"address")

    def unseal(self, sealed: bytes) -> str | None:
        """The address, or None when the key changed since it was sealed (and the old key
        is not configured as the previous one)."""
        try:
            return self._aead.decrypt(sealed[:12], sealed[12:], b"address").decode("utf-8")
        except (InvalidTag, ValueError):
            return self._previous.unseal(sealed) if self._previous else None
