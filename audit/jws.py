"""Standard receipts signed as JWS (RFC 7515, compact serialisation) with EdDSA
(RFC 8037): by the same Ed25519 key that signs the evidence logs' checkpoints,
so one published key family covers both. Verifiers find the keys as a JWK set
at /.well-known/jwks.json, each named by its RFC 7638 thumbprint.

PyJWT makes and checks the signatures; the payload is the receipt's canonical
JSON (sorted keys, no spaces), so the bytes signed can be recomputed."""

import base64
import hashlib
import json

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .notes import VerifierKey
from .transparency import log_signer, log_verifiers


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwk_of(key: VerifierKey) -> dict:
    public = {"crv": "Ed25519", "kty": "OKP", "x": _b64url(key.public_key)}
    thumbprint = _b64url(hashlib.sha256(json.dumps(public, separators=(",", ":")).encode()).digest())
    return {**public, "kid": thumbprint, "alg": "EdDSA", "use": "sig"}


def receipt_jwks() -> dict:
    """The keys a signed receipt of ours may carry, the current one first."""
    return {"keys": [jwk_of(key) for key in log_verifiers()]}


def canonical_json(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def jws_sign(payload: dict, *, content_type: str) -> str:
    """A compact JWS of ``payload`` (canonical JSON); ``cty`` names what it is."""
    signer = log_signer()
    return jwt.api_jws.PyJWS().encode(
        canonical_json(payload),
        Ed25519PrivateKey.from_private_bytes(signer.seed),
        algorithm="EdDSA",
        headers={"kid": jwk_of(signer.verifier)["kid"], "typ": "JOSE", "cty": content_type},
    )
