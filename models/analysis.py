"""Recorded-call analysis: decode a file, stream it through the core, build the JSON contract."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audio.channels import ChannelRoles, Role, resolve_roles
from audio.decode import DecodedAudio, load_audio
from audio.errors import AudioTooShortError
from models.config import AnalysisConfig
from models.events import Event
from models.stream import AnalysisResult, CallAnalyzer

SCHEMA = "calltone.analysis/1"
DEFAULT_CHUNK_S = 10.0


@dataclass(frozen=True)
class AnalyzeOptions:
    """How to read a recording."""

    agent_channel: int | None = None
    customer_channel: int | None = None
    mono_role: Role = "agent"
    chunk_s: float = DEFAULT_CHUNK_S


def run_analyzer(
    audio: DecodedAudio,
    roles: ChannelRoles,
    config: AnalysisConfig,
    *,
    chunk_s: float = DEFAULT_CHUNK_S,
    on_events: Callable[[list[Event]], None] | None = None,
) -> AnalysisResult:
    """Feed decoded audio through :class:`CallAnalyzer` in chunks of ``chunk_s`` seconds."""
    o = config.features
    if audio.samples.shape[1] < round(o.frame_length_s * audio.sample_rate):
        raise AudioTooShortError(
            f"{Path(audio.path).name or 'audio'}: {audio.duration_s * 1000:.1f} ms is shorter than one "
            f"{o.frame_length_s * 1000:.0f} ms analysis frame; pass a longer recording"
        )
    analyzer = CallAnalyzer(roles=roles, n_channels=audio.channels, config=config)
    step = max(1, round(chunk_s * audio.sample_rate))
    for i in range(0, audio.samples.shape[1], step):
        evs = analyzer.push(audio.samples[:, i : i + step])
        if on_events and evs:
            on_events(evs)
    return analyzer.finish()


def analyze_file(
    path: str | Path,
    *,
    options: AnalyzeOptions | None = None,
    config: AnalysisConfig | None = None,
) -> tuple[DecodedAudio, AnalysisResult]:
    """Decode ``path`` and analyse it acoustically."""
    opts = options or AnalyzeOptions()
    cfg = config or AnalysisConfig()
    audio = load_audio(path)
    roles = resolve_roles(
        audio.channels,
        agent_channel=opts.agent_channel,
        customer_channel=opts.customer_channel,
        mono_role=opts.mono_role,
    )
    return audio, run_analyzer(audio, roles, cfg, chunk_s=opts.chunk_s)


def to_document(
    audio: DecodedAudio,
    result: AnalysisResult,
    *,
    segments: list[dict[str, Any]] | None = None,
    extra_events: list[dict[str, Any]] | None = None,
    alerts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The ``calltone.analysis/1`` JSON document (see docs/analysis-json.md)."""
    events = [e.to_dict() for e in result.events_sorted()] + list(extra_events or [])
    events.sort(key=lambda e: (e["start_s"], e["kind"], e["speaker"]))
    return {
        "schema": SCHEMA,
        "call": {
            "path": audio.path,
            "duration_s": round(audio.duration_s, 3),
            "sample_rate": audio.source_sample_rate,
            "channels": audio.channels,
            "roles": result.roles.as_dict(),
        },
        "events": events,
        "alerts": list(alerts or []),
        "segments": list(segments or []),
        "metrics": result.metrics,
        "config": result.config.to_dict(),
        "notes": result.notes,
    }
