"""A software passkey: answers WebAuthn ceremonies the way a browser and a key would.

It signs with a real P-256 key, so allauth's server-side checks (challenge, origin, RP id,
signature, user presence) run unchanged against what it sends.
"""

from __future__ import annotations

import json
import os
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import sha256, websafe_decode, websafe_encode
from fido2.webauthn import (
    Aaguid,
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorData,
    CollectedClientData,
)

FLAG = AuthenticatorData.FLAG


class SoftPasskey:
    def __init__(self, origin: str = "https://testserver") -> None:
        self.origin = origin
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.user_handle = b""
        self.counter = 0

    def register(self, creation_options: dict[str, Any], *, passwordless: bool = False) -> str:
        """The JSON a browser posts back after ``navigator.credentials.create``."""
        options = creation_options["publicKey"]
        self.user_handle = websafe_decode(options["user"]["id"])
        client_data = CollectedClientData.create(
            type=CollectedClientData.TYPE.CREATE,
            challenge=websafe_decode(options["challenge"]),
            origin=self.origin,
        )
        credential = AttestedCredentialData.create(
            Aaguid.NONE, self.credential_id, ES256.from_cryptography_key(self.key.public_key())
        )
        auth_data = AuthenticatorData.create(
            sha256(options["rp"]["id"].encode()), self._flags() | FLAG.AT, 0, credential
        )
        attestation = AttestationObject.create("none", auth_data, {})
        response = {
            "clientDataJSON": websafe_encode(bytes(client_data)),
            "attestationObject": websafe_encode(bytes(attestation)),
        }
        return self._credential(response, {"credProps": {"rk": passwordless}})

    def assert_(self, request_options: dict[str, Any], rp_id: str = "testserver") -> str:
        """The JSON a browser posts back after ``navigator.credentials.get``."""
        options = request_options["publicKey"]
        client_data = CollectedClientData.create(
            type=CollectedClientData.TYPE.GET,
            challenge=websafe_decode(options["challenge"]),
            origin=self.origin,
        )
        self.counter += 1
        auth_data = AuthenticatorData.create(sha256(rp_id.encode()), self._flags(), self.counter)
        signature = self.key.sign(bytes(auth_data) + client_data.hash, ec.ECDSA(hashes.SHA256()))
        response = {
            "clientDataJSON": websafe_encode(bytes(client_data)),
            "authenticatorData": websafe_encode(bytes(auth_data)),
            "signature": websafe_encode(signature),
            "userHandle": websafe_encode(self.user_handle),
        }
        return self._credential(response, {})

    def _flags(self) -> AuthenticatorData.FLAG:
        # User present and verified (a PIN or a fingerprint).
        return FLAG.UP | FLAG.UV

    def _credential(self, response: dict[str, str], extensions: dict[str, Any]) -> str:
        credential_id = websafe_encode(self.credential_id)
        return json.dumps(
            {
                "id": credential_id,
                "rawId": credential_id,
                "type": "public-key",
                "response": response,
                "clientExtensionResults": extensions,
                "authenticatorAttachment": "cross-platform",
            }
        )
