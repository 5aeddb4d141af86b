"""The call's sound and its names for the trainer's report.

Why the audio is inside the report: a trainer who clicks an evidence item wants to hear that
moment, and the report is one self-contained file (mailed, opened offline). So the call is
encoded small (Ogg Vorbis at its lowest quality setting, about 32 kbit/s for two channels at
16 kHz: 2.4 MB, 3.2 MB as base64, for 10 minutes; agent in the left ear and customer in the right,
as the board's listen-in plays it) and put in the page as a ``data:`` URI. Calls longer than
:attr:`ReportAudioOptions.max_s` are not embedded (the page says so) to keep reports mailable.

The waveform overview is the peak level of each speaker's channel per plot column, so a
trainer sees who spoke when and how hard before listening.

Names: a report is titled by its file (``escalation_call/call.wav``, never a generated id), with
the agent and the date from the arguments or, failing those, the file's own metadata (WAV INFO,
FLAC/OGG comments: ``artist`` for the agent, ``date`` for the recording date).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

WAVE_COLUMNS = 1000
"""Peak values per speaker in the waveform overview (about one per plot pixel)."""
ENCODE_BLOCK_S = 5.0
"""Audio handed to the Vorbis encoder per write. libsndfile 1.2's Vorbis encoder crashes the
process (SIGSEGV) when a few minutes of audio arrive in one write; blocks of seconds do not."""


@dataclasses.dataclass(frozen=True)
class ReportAudioOptions:
    """How the call's audio goes into the report.

    Attributes
    ----------
    embed : bool
        Put the recording in the report (an ``<audio>`` player that evidence items seek).
    max_s : float
        Longest call (seconds) whose audio is embedded; a longer one gets the waveform only.
    vorbis_quality : float
        libsndfile's Vorbis ``compression_level`` (0 best quality, 1 smallest file).
    """

    embed: bool = True
    max_s: float = 1800.0
    vorbis_quality: float = 1.0


@dataclasses.dataclass(frozen=True)
class ReportAudio:
    """What the report shows of the sound: the player's source (or why there is none) and the
    per-speaker waveform peaks (0-1, ``WAVE_COLUMNS`` or fewer per speaker)."""

    data_uri: str | None
    note: str | None
    layout: str
    waveform: dict[str, list[float]]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _by_role(samples: np.ndarray, roles: Mapping[str, int]) -> dict[str, np.ndarray]:
    """Each speaker's channel (``samples`` is channels x frames)."""
    out = {}
    for role in ("agent", "customer"):
        ch = roles.get(role)
        if ch is not None and 0 <= int(ch) < samples.shape[0]:
            out[role] = samples[int(ch)]
    return out


def waveform_peaks(
    samples: np.ndarray, roles: Mapping[str, int], columns: int = WAVE_COLUMNS
) -> dict[str, list[float]]:
    """Peak absolute level of each speaker per column, scaled so the loudest column is 1."""
    parts = _by_role(samples, roles)
    if not parts:
        return {}
    n = min(len(x) for x in parts.values())
    cols = max(1, min(columns, n))
    edges = np.linspace(0, n, cols + 1).astype(np.int64)
    peaks = {
        role: np.maximum.reduceat(np.abs(x[:n]), edges[:-1]) if n else np.zeros(0)
        for role, x in parts.items()
    }
    top = max((float(p.max()) for p in peaks.values() if p.size), default=0.0)
    scale = 1.0 / top if top > 0 else 0.0
    return {role: [round(float(v) * scale, 3) for v in p] for role, p in peaks.items()}


def encode_ogg(samples: np.ndarray, sample_rate_hz: int, quality: float) -> bytes:
    """Ogg Vorbis bytes of ``samples`` (channels x frames, float in -1..1), written in blocks
    of :data:`ENCODE_BLOCK_S` (see there why)."""
    import soundfile as sf

    buf = io.BytesIO()
    block = max(1, int(ENCODE_BLOCK_S * sample_rate_hz))
    with sf.SoundFile(
        buf,
        "w",
        samplerate=sample_rate_hz,
        channels=samples.shape[0],
        format="OGG",
        subtype="VORBIS",
        compression_level=quality,
    ) as out:
        for k in range(0, samples.shape[1], block):
            part = np.clip(samples[:, k : k + block].T, -1.0, 1.0)
            out.write(np.ascontiguousarray(part, dtype=np.float32))
    return buf.getvalue()


def report_audio(
    samples: np.ndarray,
    sample_rate_hz: int,
    roles: Mapping[str, int],
    options: ReportAudioOptions | None = None,
) -> ReportAudio:
    """The player source and waveform for a decoded call (``samples``: channels x frames)."""
    o = options or ReportAudioOptions()
    peaks = waveform_peaks(samples, roles)
    parts = _by_role(samples, roles)
    duration_s = samples.shape[1] / sample_rate_hz if sample_rate_hz else 0.0
    if not o.embed:
        return ReportAudio(None, "the recording was left out of this report", "", peaks)
    if duration_s > o.max_s:
        return ReportAudio(
            None,
            f"the recording ({duration_s / 60:.0f} min) is longer than the {o.max_s / 60:.0f} "
            "min a report embeds; open the file itself to listen",
            "",
            peaks,
        )
    if "agent" in parts and "customer" in parts:
        channels = np.stack([parts["agent"], parts["customer"]])
        layout = "agent in the left ear, customer in the right"
    else:
        channels = samples[:1]
        layout = "one channel (mono recording)"
    data = encode_ogg(channels, sample_rate_hz, o.vorbis_quality)
    uri = "data:audio/ogg;base64," + base64.b64encode(data).decode("ascii")
    return ReportAudio(uri, None, layout, peaks)


# --------------------------------------------------------------------------------------------
# Names


def display_name(path: str | Path) -> str:
    """How people name a recording: its file name, with its folder when the name alone says
    little (``samples/escalation_call/call.wav`` -> ``escalation_call/call.wav``)."""
    p = Path(path)
    parent = p.parent.name
    return f"{parent}/{p.name}" if parent and parent not in (".", "/") else p.name


def file_metadata(path: str | Path) -> dict[str, str]:
    """The recording's own tags (WAV INFO, FLAC/OGG comments) that soundfile reads; {} if none."""
    import soundfile as sf

    try:
        with sf.SoundFile(str(path)) as f:
            meta = f.copy_metadata()
    except Exception:  # not a soundfile format (MP3/M4A) or unreadable tags: no metadata
        return {}
    return {str(k): str(v).strip()[:200] for k, v in meta.items() if str(v).strip()}


def recorded_date(path: str | Path, metadata: Mapping[str, str], *, use_mtime: bool) -> str | None:
    """The recording's date: its ``date`` tag, else (for a file of the trainer's own) the file's
    modification time, as ``YYYY-MM-DD HH:MM (file date)`` local time; None when neither is
    known."""
    if metadata.get("date"):
        return metadata["date"]
    if not use_mtime:
        return None
    try:
        t = Path(path).stat().st_mtime
    except OSError:
        return None
    if not math.isfinite(t):
        return None
    return dt.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M") + " (file date)"
