"""Per-source settings of the platform adapters (``CALLTONE_*`` variables or ``.env``).

Kept apart from :class:`calltone.service.settings.Settings` so each platform's keys live in one typed,
documented place. Secrets are :class:`pydantic.SecretStr` (their ``repr`` and ``str`` are
``**********``, so they never reach a log line), and where calltone only has to *check* a
secret (the FreeSWITCH fork's key, Twilio's stream key) only its SHA-256 is configured. The
AudioHook client secret and the Twilio auth token are HMAC keys the server must hold as given.

Example::

    CALLTONE_AUDIOHOOK_KEYS='{"ah-key-1": "<base64 client secret from Genesys>"}'
    CALLTONE_TWILIO_AUTH_TOKEN=<the account's auth token>
    CALLTONE_TWILIO_PUBLIC_URL=wss://calltone.example.com
    CALLTONE_FORK_KEYS='{"fs-pbx-1": "<sha256 hex of the key in the fork URL>"}'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from calltone.models.diarization import AgentSpeakerMode
from calltone.service.environment import SettingsError


def sha256_hex(secret: str) -> str:
    """What to put in the settings for a key calltone checks: ``sha256_hex("the key")``."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_hashes(value: dict[str, str]) -> dict[str, str]:
    for name, digest in value.items():
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest.lower()):
            raise ValueError(
                f"the key of {name!r} must be given as the 64-hex-digit SHA-256 of the key "
                "(python3 -c 'import hashlib,sys; print(hashlib.sha256(sys.argv[1].encode())"
                ".hexdigest())' KEY), not the key itself"
            )
    return {k: v.lower() for k, v in value.items()}


class SourceSettings(BaseSettings):
    """Who may stream call audio through the platform adapters, and how its sides map."""

    model_config = SettingsConfigDict(
        env_prefix="CALLTONE_", env_file=".env", extra="ignore", frozen=True
    )

    # -- Genesys AudioHook -------------------------------------------------------------------
    audiohook_keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="AudioHook API key -> client secret (base64, as Genesys shows it). The "
        "upgrade request must be signed with the secret (HTTP message signature, hmac-sha256); "
        "an empty secret lets that key connect unsigned",
    )
    audiohook_max_signature_age_s: float = Field(
        10.0, gt=0, le=300, description="oldest signature 'created' time accepted"
    )
    audiohook_clock_skew_s: float = Field(
        3.0, ge=0, le=60, description="clock difference tolerated between Genesys and us"
    )
    audiohook_min_nonce_chars: int = Field(
        22, ge=0, description="shortest signature nonce accepted (Genesys sends 24)"
    )
    audiohook_nonce_memory: int = Field(
        10_000,
        ge=100,
        description="nonces remembered to refuse a replayed signature (each lives only as "
        "long as its signature is fresh)",
    )
    audiohook_failure_delay_ms: int = Field(
        200,
        ge=0,
        le=5000,
        description="a failed signature is answered this long after it arrived, whatever the "
        "reason, so timing says nothing about the key",
    )
    audiohook_agent_id_paths: list[str] = Field(
        default_factory=lambda: ["customConfig.agentId", "customConfig.agent_id"],
        description="dotted paths into the open message's parameters tried in order for the "
        "agent id (e.g. participant.dnis)",
    )
    audiohook_agent_ids: dict[str, str] = Field(
        default_factory=dict,
        description="maps a value found at those paths (a Genesys user id, a DNIS) to a "
        "calltone agent id; values not listed are used as they are",
    )
    audiohook_default_agent_id: str | None = Field(
        None, description="agent id when none of the paths is present (None: refuse the open)"
    )
    audiohook_close_timeout_s: float = Field(
        5.0, gt=0, le=60, description="how long to wait for Genesys' close after a disconnect"
    )
    audiohook_idle_timeout_s: float = Field(
        60.0,
        gt=0,
        le=3600,
        description="a session that sends nothing (Genesys pings every few seconds, also on "
        "hold) for this long is disconnected and its call interrupted",
    )
    audiohook_max_text_bytes: int = Field(
        65_535, ge=1024, description="largest AudioHook text message accepted"
    )

    # -- Twilio Media Streams ----------------------------------------------------------------
    twilio_auth_token: SecretStr | None = Field(
        None,
        description="the Twilio account's auth token: checks X-Twilio-Signature on the upgrade "
        "request (required unless twilio_allow_unsigned)",
    )
    twilio_public_url: str | None = Field(
        None,
        description="the wss://host[:port] Twilio is told to connect to (the <Stream url> base); "
        "the signature covers that URL, which a proxy in front of calltone changes",
    )
    twilio_allow_unsigned: bool = Field(
        False, description="accept streams without X-Twilio-Signature (local testing only)"
    )
    twilio_stream_keys: dict[str, str] = Field(
        default_factory=dict,
        description="name -> SHA-256 hex of a calltone stream key passed as the "
        "<Parameter name='calltone_key'>; when set, every stream must carry one",
    )
    twilio_agent_track: Literal["inbound", "outbound"] = Field(
        "outbound",
        description="the track carrying the agent (inbound = the caller to Twilio, i.e. the "
        "customer); a stream's <Parameter name='agent_track'> overrides it",
    )
    twilio_agent_id_parameter: str = Field(
        "agent_id", description="the <Parameter> naming the calltone agent id"
    )
    twilio_default_agent_id: str | None = Field(
        None, description="agent id when the stream has no such parameter (None: refuse)"
    )
    twilio_track_skew_ms: int = Field(
        300,
        ge=20,
        le=5000,
        description="how far one track may run ahead of the other before the quiet one is "
        "filled with silence (Twilio sends nothing for a silent track)",
    )
    twilio_idle_timeout_s: float = Field(
        120.0,
        gt=0,
        le=3600,
        description="a stream that sends nothing for this long is closed and its call "
        "interrupted (Twilio sends media every 20 ms, silent tracks aside)",
    )
    twilio_max_text_bytes: int = Field(
        65_536, ge=1024, description="largest Twilio message accepted (a media message is ~300)"
    )

    # -- FreeSWITCH audio fork ---------------------------------------------------------------
    fork_keys: dict[str, str] = Field(
        default_factory=dict,
        description="source name -> SHA-256 hex of its key, sent as ?token=KEY in the fork URL "
        "or as the password of HTTP Basic auth (user = the source name)",
    )
    fork_allow_unauthenticated: bool = Field(
        False, description="accept forks without a key (local testing only)"
    )
    fork_sample_rate_hz: Literal[8000, 16000] = Field(
        8000, description="L16 rate when neither the URL nor the metadata says"
    )
    fork_mix: Literal["mono", "mixed", "stereo"] = Field(
        "stereo", description="mix type when neither the URL nor the metadata says"
    )
    fork_agent_channel: Literal[0, 1] = Field(
        1,
        description="in stereo, the agent's channel: 0 = the leg's received audio (what its "
        "party says), 1 = the audio it hears. A fork on the caller's leg has the agent on 1",
    )
    fork_mono_role: Literal["agent", "customer"] = Field(
        "customer", description="who the single voice of a 'mono' fork is"
    )
    fork_separate_mixed: bool = Field(
        True,
        description="a 'mixed' fork (both parties summed) is separated into agent and customer "
        "live, with a 2 s delay (docs/diarization.md); false analyses it as one voice",
    )
    fork_agent_speaker: AgentSpeakerMode = Field(
        "auto",
        description="in a separated 'mixed' fork, which speaker is the agent (auto: the agent's "
        "voice profile, else the first speaker)",
    )
    fork_default_agent_id: str | None = Field(
        None, description="agent id when the metadata has none (None: refuse)"
    )
    fork_metadata_timeout_s: float = Field(
        10.0, gt=0, le=120, description="how long to wait for the metadata frame"
    )
    fork_idle_timeout_s: float = Field(
        60.0,
        gt=0,
        le=3600,
        description="a fork that sends no audio for this long is closed and its call interrupted",
    )
    fork_max_text_bytes: int = Field(65_536, ge=1024)

    @field_validator("audiohook_keys")
    @classmethod
    def _base64_secrets(cls, value: dict[str, SecretStr]) -> dict[str, SecretStr]:
        for key, secret in value.items():
            try:
                base64.b64decode(secret.get_secret_value(), validate=True)
            except (binascii.Error, ValueError) as exc:
                raise ValueError(
                    f"the client secret of AudioHook key {key!r} is not base64; paste it as "
                    "Genesys shows it"
                ) from exc
        return value

    @field_validator("twilio_stream_keys", "fork_keys")
    @classmethod
    def _hashes(cls, value: dict[str, str]) -> dict[str, str]:
        return _check_hashes(value)

    def audiohook_secret(self, api_key: str) -> bytes | None:
        """The HMAC key of an AudioHook API key (b'' = unsigned allowed), None if unknown."""
        secret = self.audiohook_keys.get(api_key)
        return None if secret is None else base64.b64decode(secret.get_secret_value())

    def fork_source(self, key: str, name: str | None = None) -> str | None:
        """The source whose configured hash matches ``key`` (and ``name`` if given)."""
        digest = sha256_hex(key)
        found = None
        for source, expected in self.fork_keys.items():
            if hmac.compare_digest(digest, expected) and (name is None or name == source):
                found = source
        return found

    def twilio_stream_key_ok(self, key: str | None) -> bool:
        if not self.twilio_stream_keys:
            return True
        if not key:
            return False
        digest = sha256_hex(key)
        return any(hmac.compare_digest(digest, h) for h in self.twilio_stream_keys.values())


def load_sources(**overrides: object) -> SourceSettings:
    """The adapters' settings from the environment; a clear :class:`SettingsError` if bad."""
    try:
        return SourceSettings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
    except ValueError as exc:
        lines = str(exc).splitlines()
        detail = "; ".join(line.strip() for line in lines[1:3]) or str(exc)
        raise SettingsError(
            f"bad calltone source setting: {detail}; fix the CALLTONE_* variable"
        ) from exc
