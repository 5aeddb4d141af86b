"""Service settings, read from ``CALLTONE_*`` environment variables (or a ``.env`` file).

One typed object holds every knob of ``calltone serve`` so a deployment is described by its
environment alone (twelve-factor); the CLI flags only override a few of them. Unknown
``CALLTONE_*`` variables are refused (:mod:`calltone.service.environment`).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from calltone.models.tone.alerts import AlertConfig
from calltone.models.tone.config import AnalysisConfig
from calltone.service.environment import SettingsError, check_environment
from calltone.service.live.protocols.config import SourceSettings
from calltone.service.scoring.cluster_settings import ClusterSettings

_ALERT_FIELDS = {f.name: f.type for f in dataclasses.fields(AlertConfig)}
_RENAMED_ALERT_FIELDS = {"hard_calls_window_min": ("hard_calls_window_s", 60.0)}
"""Old alert override names still accepted: old name -> (new name, factor to its unit)."""


class Settings(BaseSettings):
    """Everything ``calltone serve`` can be told (environment prefix ``CALLTONE_``)."""

    model_config = SettingsConfigDict(
        env_prefix="CALLTONE_", env_file=".env", extra="ignore", frozen=True
    )

    db_url: str = Field(
        "sqlite:///./calltone.db",
        description="SQLAlchemy URL: a SQLite file (one node) or postgresql+psycopg://... (many)",
    )
    node_id: str | None = Field(
        None,
        description="names this node in a multi-node deployment so a restart only marks its own "
        "calls interrupted",
    )
    host: str = Field("127.0.0.1", description="bind address; loopback unless told otherwise")
    port: int = Field(8765, ge=0, le=65535)
    bus_url: str = Field(
        "memory://",
        description="alert fan-out: memory:// (one node) or redis://host:6379/0 (many nodes)",
    )
    transcribe: bool = Field(True, description="live Whisper transcription beside the alerts")
    redact_transcripts: bool = Field(
        True, description="mask card and phone numbers in stored and sent transcripts"
    )
    voice_profiles: bool = Field(
        True,
        description="agent voice profiles: a live call starts the agent's baseline from the one "
        "their earlier calls learnt and stores the updated one at its end (calls with under 10 s "
        "of the agent's voiced speech leave it as it was); off: every call starts from the "
        "generic prior and nothing is stored",
    )
    whisper_model: str | None = Field(
        None, description="CTranslate2 Whisper directory; default: the packaged tiny.en"
    )
    whisper_context_min_s: float = Field(
        15.0,
        ge=1.0,
        le=30.0,
        description="shortest Whisper encoder input for a live utterance (its audio + 1 s, at "
        "least this; 30 = Whisper's full window): 15 transcribed 2.5x as many utterances per "
        "second as 30 with the same word errors within noise (docs/benchmarks.md)",
    )
    whisper_threads: int = Field(
        1,
        ge=0,
        description="CPU threads for live transcription; 1 leaves the other core to the alerts",
    )
    transcription_workers: int = Field(1, ge=1, le=8, description="live Whisper threads")
    transcription_nice: int = Field(
        10,
        ge=0,
        le=19,
        description="scheduling niceness of the Whisper threads: under load the CPU goes to the "
        "acoustic alerts first and transcription lags (and says so)",
    )
    transcription_backlog: int = Field(
        8, ge=1, description="utterances waiting for Whisper (all calls); more are dropped"
    )
    transcription_drain_s: float = Field(
        20.0, ge=0, description="how long `stop` waits for a call's pending transcripts"
    )
    analysis_processes: int = Field(
        2,
        ge=0,
        le=64,
        description="worker processes for the acoustic analysis of live calls (one per core); "
        "0 runs it in threads of the server process",
    )
    analysis_threads: int = Field(
        2, ge=1, le=64, description="threads for the analysis when analysis_processes is 0"
    )
    max_frame_bytes: int = Field(
        192_000, ge=1024, description="largest binary audio frame accepted (1 s of 48 kHz stereo)"
    )
    max_upload_bytes: int = Field(200 * 1024 * 1024, ge=1024)
    max_pending_audio_s: float = Field(
        2.0, gt=0, description="audio buffered per call before the socket stops reading"
    )
    analysis_batch_ms: int | None = Field(
        None,
        ge=10,
        le=1000,
        description="audio per analysis step; default: adaptive (20 ms with few calls, more "
        "with many so the analysis keeps within analysis_cpu_share)",
    )
    analysis_cpu_share: float = Field(
        0.35, gt=0, le=1, description="share of the cores the adaptive batching aims to use"
    )
    feed_poll_s: float = Field(
        5.0,
        gt=0,
        description="feeds re-read storage this often even without a bus message (bus loss)",
    )
    feed_send_timeout_s: float = Field(
        10.0,
        gt=0,
        description="a feed socket (agent alerts, supervisor feed) whose client stopped reading "
        "is closed when one send waits this long (its unsent backlog stays above ~64 KiB); "
        "close code 1013 with a reason, the client resumes with after=<last id it saw>",
    )
    flag_auto_resolve_s: float = Field(
        600.0,
        ge=0,
        description="an escalation flag still open this many seconds after its call ended is "
        "resolved on its own (acknowledged by 'calltone.auto', which the board shows as a "
        "note); 0 leaves flags open until a supervisor acknowledges them",
    )
    cors_origins: list[str] = Field(default_factory=list)
    signin_max_failures: int = Field(
        10,
        ge=0,
        description="failed tokens (API, sockets, pages, sign-in form) one client address may "
        "present within signin_window_s before it is locked out for signin_window_s (HTTP 429 "
        "with Retry-After, sockets closed 1008); counted in memory per process; 0 turns it off",
    )
    signin_window_s: float = Field(
        60.0,
        gt=0,
        description="the window in which failed sign-ins are counted, and how long an address "
        "that reached signin_max_failures is locked out",
    )
    retention_days: float = Field(
        90.0,
        ge=0,
        description="delete ended calls (events, transcripts, alerts, feedback, feed entries) and "
        "finished scorecards this many days after they end; 0 keeps everything. Call audio is "
        "never stored (live audio is only relayed to listeners, uploads are deleted once scored)",
    )
    retention_interval_s: float = Field(
        3600.0, gt=0, description="how often the retention sweep runs (first run at start-up)"
    )
    analysis_config_path: str | None = Field(
        None, description="TOML file overriding detector thresholds (as for `analyze --config`)"
    )
    alert_overrides: dict[str, float] = Field(
        default_factory=dict,
        description='AlertConfig fields to override, JSON: {"de_escalate_cooldown_s": 20}',
    )

    # -- hardening against hostile clients (issue 15; docs/reliability.md) -------------------
    max_decoded_bytes: int = Field(
        512 << 20,
        ge=1 << 20,
        description="largest decoded size (bytes of float32 samples at the file's own rate) of "
        "an uploaded recording: judged from its header before any decode, and counted again "
        "while the scoring worker decodes; 512 MiB is ~46 min of 48 kHz stereo, ~4.6 h of 8 kHz "
        "stereo. The scoring worker peaks at about twice this while decoding",
    )
    max_body_bytes: int = Field(
        1 << 20,
        ge=1024,
        description="largest request body of every route but the recording upload (which has "
        "max_upload_bytes); larger bodies get 413 before routing and before the token is read",
    )
    upload_spool_dir: str | None = Field(
        None,
        description="where uploads wait to be scored; default: a folder in the temp dir named "
        "after the database and node, swept (jobs failed, files deleted) at start-up",
    )
    http_header_timeout_s: float = Field(
        10.0,
        gt=0,
        description="a connection must send a request's complete headers within this long "
        "(from connecting, or from the previous response) or it is closed",
    )
    body_idle_timeout_s: float = Field(
        30.0,
        gt=0,
        description="a request body that sends nothing for this long is answered 408 and closed",
    )
    ws_start_timeout_s: float = Field(
        10.0,
        gt=0,
        description="an audio socket must send its start message within this long (close 1008)",
    )
    audio_idle_timeout_s: float = Field(
        60.0,
        gt=0,
        description="a started audio socket that sends nothing (no audio, no ping) for this long "
        "is closed (1008) and its call ended",
    )
    max_connections_per_address: int = Field(
        256,
        ge=0,
        description="open TCP connections (HTTP and WebSocket) one client address may hold; "
        "more are closed at once. A softphone gateway carries many calls from one address: "
        "raise it there. 0 turns it off",
    )
    max_ws_text_bytes: int = Field(
        16 * 1024,
        ge=256,
        description="largest JSON text message a socket accepts (start, stop, ping, acks)",
    )
    max_json_depth: int = Field(
        32, ge=2, le=256, description="deepest nesting of a JSON message a socket accepts"
    )
    auth_recheck_s: float = Field(
        10.0,
        gt=0,
        description="open sockets re-check their token this often and close (1008) once it is "
        "revoked, expired or its user deleted",
    )
    token_ttl_days: float = Field(
        0.0,
        ge=0,
        description="tokens stop working this many days after they were issued; 0: never",
    )

    @field_validator("alert_overrides")
    @classmethod
    def _known_alert_fields(cls, value: dict[str, float]) -> dict[str, float]:
        renamed: dict[str, float] = {}
        for name, number in value.items():
            new_name, factor = _RENAMED_ALERT_FIELDS.get(name, (name, 1.0))
            renamed[new_name] = number * factor
        value = renamed
        unknown = sorted(set(value) - set(_ALERT_FIELDS))
        if unknown:
            raise ValueError(
                f"unknown alert setting(s) {', '.join(unknown)}; known: "
                f"{', '.join(sorted(_ALERT_FIELDS))}"
            )
        return value

    def alert_config(self) -> AlertConfig:
        """The alert policy config with this deployment's overrides applied."""
        values: dict[str, Any] = {}
        for name, number in self.alert_overrides.items():
            values[name] = int(number) if _ALERT_FIELDS[name] in (int, "int") else float(number)
        return dataclasses.replace(AlertConfig(), **values)

    def analysis_config(self) -> AnalysisConfig:
        return _analysis_config(self.analysis_config_path)


@functools.lru_cache(maxsize=4)
def _analysis_config(path: str | None) -> AnalysisConfig:
    return AnalysisConfig.from_toml(path) if path else AnalysisConfig()


def setting_names() -> frozenset[str]:
    """Every field of the settings families that read ``CALLTONE_*`` variables."""
    return frozenset(
        name
        for family in (Settings, SourceSettings, ClusterSettings)
        for name in family.model_fields
    )


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment with explicit overrides (CLI flags, tests) on top.

    A ``CALLTONE_*`` variable that no settings family reads (a typo, a removed setting) is a
    :class:`SettingsError` naming it, not silently ignored.
    """
    check_environment(setting_names())
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValueError as exc:  # pydantic.ValidationError is a ValueError
        first = str(exc).splitlines()
        detail = "; ".join(line.strip() for line in first[1:3]) or str(exc)
        raise SettingsError(
            f"bad calltone setting: {detail}; fix the CALLTONE_* variable or flag"
        ) from exc
