"""HTTP Message Signatures (RFC 9421 style, hmac-sha256) as Genesys AudioHook signs its upgrade.

AudioHook signs the WebSocket upgrade request with the integration's client secret over
``@request-target``, ``@authority``, ``audiohook-organization-id``, ``audiohook-session-id``,
``audiohook-correlation-id`` and ``x-api-key``, with ``keyid`` (= the API key), ``nonce``,
``alg="hmac-sha256"``, ``created`` and ``expires``. This module parses the two header fields
(the small part of Structured Field Values, RFC 8941, they use), rebuilds the signature base
from the *parsed* values (so a sloppy signer cannot smuggle bytes in) and checks the HMAC in
constant time. Freshness: ``created`` within the allowed age, ``expires`` not past, and a nonce
never seen before while its signature is fresh (a replayed upgrade is refused).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from calltone.service.live.protocols.errors import AuthError

REQUIRED_COMPONENTS = (
    "@request-target",
    "@authority",
    "audiohook-organization-id",
    "audiohook-session-id",
    "audiohook-correlation-id",
    "x-api-key",
)
MAX_HEADER_CHARS = 4096

_KEY = r"[a-z*][a-z0-9_\-.*]*"
_STRING = r'"(?:[^"\\]|\\["\\])*"'
_TOKEN = r"[A-Za-z*][A-Za-z0-9:/!#$%&'*+\-.^_`|~]*"
_NUMBER = r"-?\d{1,15}"
_PARAM = rf"\s*;\s*({_KEY})(?:=({_STRING}|{_NUMBER}|{_TOKEN}))?"


@dataclass
class SignatureInput:
    """One member of ``signature-input``: covered components and parameters."""

    label: str
    components: list[str]
    params: list[tuple[str, str | int]]
    signature: bytes = b""
    raw_params: dict[str, str | int] = field(default_factory=dict)

    def encoded(self) -> str:
        """The inner list re-serialised (the ``@signature-params`` line)."""
        items = " ".join(_quote(c) for c in self.components)
        params = "".join(
            f";{k}={v}" if isinstance(v, int) else f";{k}={_quote(v)}" for k, v in self.params
        )
        return f"({items}){params}"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(text: str) -> str:
    return re.sub(r'\\(["\\])', r"\1", text[1:-1])


def _bare(value: str) -> str | int:
    if value.startswith('"'):
        return _unquote(value)
    if re.fullmatch(_NUMBER, value):
        return int(value)
    return value


def parse_signature_input(text: str) -> list[SignatureInput]:
    """``sig1=("@request-target" "x-api-key");keyid="k";created=1`` -> parsed members."""
    out: list[SignatureInput] = []
    rest = text.strip()
    member = re.compile(rf"({_KEY})=\(((?:\s*{_STRING})*)\s*\)((?:{_PARAM})*)\s*(?:,|$)")
    while rest:
        m = member.match(rest)
        if m is None:
            raise AuthError("the signature-input header is not a valid structured field")
        components = [_unquote(s) for s in re.findall(_STRING, m.group(2))]
        params = [(k, _bare(v)) for k, v in re.findall(_PARAM, m.group(3))]
        out.append(SignatureInput(m.group(1), components, params, raw_params=dict(params)))
        rest = rest[m.end() :].strip()
    if not out:
        raise AuthError("the signature-input header is empty")
    return out


def parse_signatures(text: str) -> dict[str, bytes]:
    """``sig1=:base64:`` -> ``{"sig1": bytes}``."""
    out: dict[str, bytes] = {}
    for m in re.finditer(rf"({_KEY})=:([A-Za-z0-9+/=]*):", text):
        try:
            out[m.group(1)] = base64.b64decode(m.group(2), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise AuthError("the signature header holds invalid base64") from exc
    if not out:
        raise AuthError("the signature header is not a valid structured field")
    return out


def signature_base(sig: SignatureInput, values: Mapping[str, str]) -> str:
    """The text that was signed: one ``"component": value`` line each, then the params."""
    lines = [f"{_quote(name)}: {values[name]}" for name in sig.components]
    lines.append(f'"@signature-params": {sig.encoded()}')
    return "\n".join(lines)


def sign(
    components: Mapping[str, str],
    *,
    key_id: str,
    secret: bytes,
    nonce: str,
    created: int,
    expires_s: int = 30,
    label: str = "sig1",
) -> dict[str, str]:
    """The ``signature-input`` and ``signature`` headers for ``components`` (as Genesys signs)."""
    sig = SignatureInput(
        label,
        list(components),
        [
            ("keyid", key_id),
            ("nonce", nonce),
            ("alg", "hmac-sha256"),
            ("created", created),
            ("expires", created + expires_s),
        ],
    )
    mac = hmac.new(secret, signature_base(sig, components).encode(), hashlib.sha256).digest()
    return {
        "signature-input": f"{label}={sig.encoded()}",
        "signature": f"{label}=:{base64.b64encode(mac).decode()}:",
    }


class NonceMemory:
    """Nonces of fresh signatures already used (bounded; each forgotten once stale)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._seen: OrderedDict[str, float] = OrderedDict()

    def use(self, nonce: str, until: float, now: float) -> bool:
        """Record ``nonce`` (fresh until ``until``); False if it was already used."""
        while self._seen and next(iter(self._seen.values())) < now:
            self._seen.popitem(last=False)
        if nonce in self._seen:
            return False
        self._seen[nonce] = until
        while len(self._seen) > self.capacity:
            self._seen.popitem(last=False)
        return True


@dataclass
class Verifier:
    """Checks AudioHook upgrade requests against the configured API keys and secrets."""

    secret_of: Callable[[str], bytes | None]
    max_age_s: float
    clock_skew_s: float
    min_nonce_chars: int
    nonces: NonceMemory
    clock: Callable[[], float] = time.time

    def verify(self, headers: Mapping[str, str], request_target: str) -> str:
        """The verified API key; :class:`AuthError` naming the problem otherwise."""
        api_key = headers.get("x-api-key", "").strip()
        if not api_key:
            raise AuthError("missing X-API-KEY header field")
        secret = self.secret_of(api_key)
        sig_input = headers.get("signature-input")
        sig_value = headers.get("signature")
        if not sig_input and not sig_value:
            if secret == b"":
                return api_key  # an API key configured without a secret connects unsigned
            raise AuthError("the request is not signed (no signature-input/signature headers)")
        if not sig_input or not sig_value:
            raise AuthError("only one of the signature-input and signature headers is present")
        if len(sig_input) > MAX_HEADER_CHARS or len(sig_value) > MAX_HEADER_CHARS:
            raise AuthError("a signature header is too long")
        sig = parse_signature_input(sig_input)[0]
        sig.signature = parse_signatures(sig_value).get(sig.label, b"")
        if not sig.signature:
            raise AuthError(f"no signature with label {sig.label!r}")
        p = sig.raw_params
        alg = p.get("alg", "hmac-sha256")
        if alg != "hmac-sha256":
            raise AuthError(f"signature algorithm {alg!r} is not supported (hmac-sha256)")
        if p.get("keyid") != api_key:
            raise AuthError("the signature keyid does not match the X-API-KEY header field")
        nonce = p.get("nonce")
        if not isinstance(nonce, str) or len(nonce) < self.min_nonce_chars:
            raise AuthError("missing or too short signature nonce")
        created, expires = p.get("created"), p.get("expires")
        if not isinstance(created, int):
            raise AuthError("the signature has no 'created' time")
        now = self.clock()
        if created > now + self.clock_skew_s:
            raise AuthError("the signature was created in the future (check the clocks)")
        if created + self.max_age_s < now - self.clock_skew_s:
            raise AuthError(f"stale signature: created {now - created:.0f} s ago")
        if isinstance(expires, int) and expires < now - self.clock_skew_s:
            raise AuthError("expired signature")
        missing = [c for c in REQUIRED_COMPONENTS if c not in sig.components]
        if missing:
            raise AuthError(f"the signature does not cover {', '.join(missing)}")
        values: dict[str, str] = {}
        for name in sig.components:
            if name == "@request-target":
                values[name] = request_target
            elif name == "@authority":
                values[name] = headers.get("host", "").strip().lower()
            elif name.startswith("@"):
                raise AuthError(f"signature component {name!r} is not supported")
            elif name in headers:
                values[name] = " ".join(headers[name].split())
            else:
                raise AuthError(f"signed header field {name!r} is not present")
        key = secret if secret is not None else hashlib.sha256(api_key.encode()).digest()
        mac = hmac.new(key, signature_base(sig, values).encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(mac, sig.signature) or secret is None:
            raise AuthError("signature mismatch (wrong client secret or a changed request)")
        until = max(float(created) + self.max_age_s, float(expires or 0)) + self.clock_skew_s
        if not self.nonces.use(nonce, until, now):
            raise AuthError("replayed signature: this nonce was already used")
        return api_key
