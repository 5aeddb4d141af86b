"""Recorded-call analysis: decode a file, stream it through the core, build the JSON contract."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calltone.audio.channels import ChannelRoles, Role, resolve_roles
from calltone.audio.decode import DecodedAudio, load_audio
from calltone.audio.errors import AudioTooShortError
from calltone.models.cpu import blas_threads_limit
from calltone.models.tone.alerts import AlertConfig
from calltone.models.tone.baseline import BaselineSnapshot
from calltone.models.tone.config import AnalysisConfig
from calltone.models.tone.session import CallSession, SessionResult, SessionUpdate
from calltone.models.tone.stream import AnalysisResult

SCHEMA = "calltone.analysis/1"
DEFAULT_CHUNK_S = 10.0


@dataclass(frozen=True)
class AnalyzeOptions:
    """How to read a recording."""

    agent_channel: int | None = None
    customer_channel: int | None = None
    mono_role: Role = "agent"
    chunk_s: float = DEFAULT_CHUNK_S
    max_decoded_bytes: int | None = None
    """Refuse recordings whose samples take more than this decoded (audio.decode.load_audio)."""
    blas_threads: int | None = 1
    """Threads numpy's BLAS may use during the acoustic analysis (:func:`run_session`); None
    leaves the BLAS library's own pool (see :mod:`calltone.models.cpu`)."""


def run_session(
    audio: DecodedAudio,
    roles: ChannelRoles,
    config: AnalysisConfig,
    *,
    alert_config: AlertConfig | None = None,
    chunk_s: float = DEFAULT_CHUNK_S,
    call_id: str = "",
    agent_id: str = "",
    on_update: Callable[[SessionUpdate], None] | None = None,
    keep_timeline: bool = False,
    profiles: dict[str, BaselineSnapshot] | None = None,
    blas_threads: int | None = 1,
) -> SessionResult:
    """Feed decoded audio through a :class:`CallSession` in chunks of ``chunk_s`` seconds.

    The result is finished, not closed: add transcript cues (``result.add_events``) if any, then
    ``result.close()`` decides the end-of-call alerts. numpy's BLAS runs on ``blas_threads``
    threads meanwhile (one by default, as in the live service: the analysis's products are too
    small to share, and a pool's threads only spin; None leaves the library's pool;
    :mod:`calltone.models.cpu`).
    """
    o = config.features
    if audio.samples.shape[1] < round(o.frame_length_s * audio.sample_rate):
        raise AudioTooShortError(
            f"{Path(audio.path).name or 'audio'}: {audio.duration_s * 1000:.1f} ms is shorter than "
            f"one {o.frame_length_s * 1000:.0f} ms analysis frame; pass a longer recording"
        )
    session = CallSession(
        roles=roles,
        n_channels=audio.channels,
        config=config,
        alert_config=alert_config,
        call_id=call_id or Path(audio.path).stem,
        agent_id=agent_id,
        keep_timeline=keep_timeline,
        profiles=profiles,
    )
    step = max(1, round(chunk_s * audio.sample_rate))
    with blas_threads_limit(blas_threads):
        for i in range(0, audio.samples.shape[1], step):
            update = session.push(audio.samples[:, i : i + step])
            if on_update and update:
                on_update(update)
        return session.finish()


def run_analyzer(
    audio: DecodedAudio,
    roles: ChannelRoles,
    config: AnalysisConfig,
    *,
    chunk_s: float = DEFAULT_CHUNK_S,
) -> AnalysisResult:
    """Acoustic analysis only (for benchmarks and tools that need no alerts)."""
    return run_session(audio, roles, config, chunk_s=chunk_s).analysis


def analyze_file(
    path: str | Path,
    *,
    options: AnalyzeOptions | None = None,
    config: AnalysisConfig | None = None,
    alert_config: AlertConfig | None = None,
    keep_timeline: bool = False,
    profiles: dict[str, BaselineSnapshot] | None = None,
) -> tuple[DecodedAudio, SessionResult]:
    """Decode ``path`` and analyse it acoustically, with the alerts a live call would get
    (finished, not closed, as for :func:`run_session`; ``profiles``: saved voice profiles by
    role, e.g. ``{"agent": VoiceProfile.load(f).baseline}``, that the call's baselines start
    from)."""
    opts = options or AnalyzeOptions()
    cfg = config or AnalysisConfig()
    audio = load_audio(path, max_decoded_bytes=opts.max_decoded_bytes)
    roles = resolve_roles(
        audio.channels,
        agent_channel=opts.agent_channel,
        customer_channel=opts.customer_channel,
        mono_role=opts.mono_role,
    )
    return audio, run_session(
        audio,
        roles,
        cfg,
        alert_config=alert_config,
        chunk_s=opts.chunk_s,
        keep_timeline=keep_timeline,
        profiles=profiles,
        blas_threads=opts.blas_threads,
    )


def analyze_separated(
    path: str | Path,
    *,
    agent_speaker: str = "auto",
    words_for: Callable[[DecodedAudio], list[tuple[float, float, str]]] | None = None,
    config: AnalysisConfig | None = None,
    profiles: dict[str, BaselineSnapshot] | None = None,
    max_decoded_bytes: int | None = None,
    keep_timeline: bool = False,
    diarization: Any = None,
) -> tuple[DecodedAudio, SessionResult, Any]:
    """``analyze --separate``: a mono call is diarized into agent/customer channels
    (:func:`models.diarization.separate_mono`) and analysed as a two-party call.

    ``words_for(mono_audio)`` gives transcript segments for the role decision (optional);
    ``diarization`` is a ``models.diarization.DiarizationConfig`` (default settings if None).
    A recording with two or more channels is analysed as usual; the third item is then ``None``.
    """
    from calltone.models.diarization import DiarizationConfig, blas_limit, separate_mono

    audio = load_audio(path, max_decoded_bytes=max_decoded_bytes)
    if audio.channels != 1:
        roles = resolve_roles(audio.channels)
        return (
            audio,
            run_session(
                audio,
                roles,
                config or AnalysisConfig(),
                keep_timeline=keep_timeline,
                profiles=profiles,
            ),
            None,
        )
    words = words_for(audio) if words_for and agent_speaker == "auto" else None
    agent_profile = (profiles or {}).get("agent")
    dcfg = diarization or DiarizationConfig()
    # the separation and the separated call's analysis with BLAS on dcfg.blas_threads (one by
    # default: the products are small and the pool's threads only spin; the words above run
    # Whisper, which sets its own threads)
    with blas_limit(dcfg):
        sep = separate_mono(
            audio.samples[0],
            mode=agent_speaker,  # type: ignore[arg-type]
            words=words,
            config=dcfg,
            agent_pitch_hz=agent_profile.pitch_hz if agent_profile is not None else None,
        )
        two = DecodedAudio(
            samples=sep.samples,
            sample_rate=audio.sample_rate,
            source_sample_rate=audio.source_sample_rate,
            path=audio.path,
        )
        session = run_session(
            two,
            ChannelRoles(agent=0, customer=1),
            config or AnalysisConfig(),
            keep_timeline=keep_timeline,
            profiles=profiles,
            blas_threads=dcfg.blas_threads,
        )
    return two, session, sep


def to_document(
    audio: DecodedAudio,
    session: SessionResult,
    *,
    segments: list[dict[str, Any]] | None = None,
    extra_events: list[dict[str, Any]] | None = None,
    extra_metrics: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The ``calltone.analysis/1`` JSON document (see docs/analysis-json.md)."""
    result = session.analysis
    events = [e.to_dict() for e in result.events_sorted()] + list(extra_events or [])
    events.sort(key=lambda e: (e["start_s"], e["kind"], e["speaker"]))
    alerts = []
    for k, a in enumerate(sorted(session.alerts, key=lambda a: a.at_s), start=1):
        d = a.to_dict()
        d["id"] = f"al-{k}"
        alerts.append(d)
    metrics = dict(result.metrics)
    for role, extra in (extra_metrics or {}).items():
        metrics[role] = {**metrics.get(role, {}), **extra}
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
        "alerts": alerts,
        "segments": list(segments or []),
        "metrics": metrics,
        "config": result.config.to_dict(),
        "notes": result.notes,
    }
