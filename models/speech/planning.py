"""Where Whisper listens: speech regions padded, merged and split, gated, and grouped into windows.

The caller (the acoustic VAD) says where speech is; :func:`plan_regions` turns those stretches
into Whisper-sized pieces, :func:`level_gate` and :func:`silero_regions` drop what is not this
party's speech, and :func:`plan_windows` (or :func:`trimmed_windows`, :func:`pack_regions`) lays
the pieces into the windows that are decoded, each region a :class:`Piece` that maps decoded
time back to call time.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from calltone.models.speech.options import (
    SAMPLE_RATE_HZ,
    TranscriberOptions,
    TranscriptionInputError,
)
from calltone.models.speech.transcript import SpeechRegion


def plan_regions(
    regions: Iterable[SpeechRegion],
    *,
    duration_s: float,
    options: TranscriberOptions | None = None,
    samples: np.ndarray | None = None,
) -> list[SpeechRegion]:
    """Pad, merge and split VAD regions into pieces Whisper handles well.

    Padding keeps word edges that an energy VAD clips; merging close regions avoids paying one
    30 s encoder pass per breath pause and gives Whisper context; splitting keeps every piece
    under ``max_region_s`` so nothing falls off the end of a window.

    Parameters
    ----------
    regions : iterable of SpeechRegion
        Speech stretches in any order (they may overlap).
    duration_s : float
        Length of the channel; padded regions are clipped to ``[0, duration_s]``.
    options : TranscriberOptions, optional
        Supplies ``region_pad_s``, ``merge_gap_s`` and ``max_region_s``.
    samples : np.ndarray, optional
        The channel at 16 kHz. When given, long regions are cut at the quietest 50 ms near the
        limit instead of at equal lengths, so a cut rarely falls inside a word.

    Returns
    -------
    list of SpeechRegion
        Sorted, non-overlapping, each at most ``max_region_s`` long.
    """
    opts = options or TranscriberOptions()
    padded = []
    for r in regions:
        if not (np.isfinite(r.start_s) and np.isfinite(r.end_s)):
            raise TranscriptionInputError(
                f"speech region {r} has a non-finite time; fix the VAD output feeding it"
            )
        start = max(0.0, r.start_s - opts.region_pad_s)
        end = min(duration_s, r.end_s + opts.region_pad_s)
        if end > start:
            padded.append((start, end))
    padded.sort()
    merged: list[list[float]] = []
    for start, end in padded:
        if merged and start - merged[-1][1] <= opts.merge_gap_s:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[SpeechRegion] = []
    for start, end in merged:
        out.extend(_split(start, end, opts.max_region_s, samples))
    return out


def _split(
    start_s: float, end_s: float, max_s: float, samples: np.ndarray | None
) -> list[SpeechRegion]:
    pieces = []
    while end_s - start_s > max_s:
        cut = start_s + max_s
        if samples is not None:
            cut = _quietest_point(samples, start_s + 0.6 * max_s, start_s + max_s)
        pieces.append(SpeechRegion(start_s, cut))
        start_s = cut
    pieces.append(SpeechRegion(start_s, end_s))
    return pieces


def _quietest_point(samples: np.ndarray, lo_s: float, hi_s: float) -> float:
    """Centre of the lowest-energy 50 ms frame in ``[lo_s, hi_s]`` (hi_s if none fits)."""
    hop = int(0.05 * SAMPLE_RATE_HZ)
    a, b = int(lo_s * SAMPLE_RATE_HZ), min(int(hi_s * SAMPLE_RATE_HZ), samples.shape[0])
    n = (b - a) // hop
    if n < 1:
        return hi_s
    frames = samples[a : a + n * hop].astype(np.float64).reshape(n, hop)
    i = int(np.argmin((frames**2).mean(axis=1)))
    return (a + i * hop + hop / 2) / SAMPLE_RATE_HZ


# Frames of the level gate (20 ms at 16 kHz).
_LEVEL_FRAME = 320


def region_level_db(x: np.ndarray, r: SpeechRegion) -> float:
    """Level of a region's louder part: the 90th percentile of its 20 ms frame RMS, in dBFS."""
    a, b = sample_bounds(r, x.shape[0])
    n = (b - a) // _LEVEL_FRAME
    if n < 1:
        return -120.0
    frames = x[a : a + n * _LEVEL_FRAME].astype(np.float64).reshape(n, _LEVEL_FRAME)
    rms = np.sqrt((frames**2).mean(axis=1) + 1e-12)
    return float(20 * np.log10(np.percentile(rms, 90)))


def level_gate(
    x: np.ndarray, regions: Sequence[SpeechRegion], *, gate_db: float
) -> list[SpeechRegion]:
    """Drop the regions more than ``gate_db`` under the channel's own speech level.

    Why: on a headset or a telephone line the other party's voice leaks into this channel
    (crosstalk, echo) 20-35 dB under this party's speech; the acoustic speech gate passes it and
    Whisper, given a stretch holding only that leak, transcribes it as this party's words (on the
    AMI close-talk sources two thirds of the word errors were such insertions). The channel's
    level is the loudest region's :func:`region_level_db` (each party's own level, so the gate
    follows gain control and level offsets of the line).
    """
    if not regions:
        return []
    levels = [region_level_db(x, r) for r in regions]
    ref = max(levels)
    return [r for r, lv in zip(regions, levels, strict=True) if lv >= ref - gate_db]


def silero_regions(
    x: np.ndarray, within: Sequence[SpeechRegion] | None, options: TranscriberOptions
) -> list[SpeechRegion]:
    """Speech regions by faster-whisper's Silero VAD, inside ``within`` (None: the whole channel).

    Why: the acoustic speech gate takes everything loud enough as speech, the other party's voice
    leaking into this channel (crosstalk, echo) included, and Whisper then transcribes it; Silero
    is a speech-presence model that rejects most of that. Searching only inside the acoustic
    regions (each widened by 0.5 s) costs ~1-2 s per 10 minutes of speech on the reference
    machine.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    vad = VadOptions(
        threshold=options.silero_threshold,
        min_silence_duration_ms=options.silero_min_silence_ms,
        speech_pad_ms=options.silero_pad_ms,
    )
    n = x.shape[0]
    spans: list[tuple[int, int]]
    if within is None:
        spans = [(0, n)]
    else:
        spans = []
        for r in sorted(within, key=lambda r: r.start_s):
            a = max(0, round((r.start_s - 0.5) * SAMPLE_RATE_HZ))
            b = min(n, round((r.end_s + 0.5) * SAMPLE_RATE_HZ))
            if spans and a <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], b))
            elif b > a:
                spans.append((a, b))
    out: list[SpeechRegion] = []
    for a, b in spans:
        if b - a < SAMPLE_RATE_HZ // 10:
            continue
        for ts in get_speech_timestamps(x[a:b], vad):
            out.append(
                SpeechRegion((a + ts["start"]) / SAMPLE_RATE_HZ, (a + ts["end"]) / SAMPLE_RATE_HZ)
            )
    return out


@dataclass(frozen=True)
class Piece:
    """Where one region sits in the decoded audio (``dec_*``) and where it starts in the call."""

    dec_start_s: float
    dec_end_s: float
    call_start_s: float

    def to_call(self, t_s: float) -> float:
        t = min(max(t_s, self.dec_start_s), self.dec_end_s)
        return t - self.dec_start_s + self.call_start_s


def pack_regions(
    x: np.ndarray, regions: list[SpeechRegion], *, max_s: float, gap_s: float
) -> tuple[np.ndarray, list[SpeechRegion], list[Piece]]:
    """Lay regions end to end, ``gap_s`` of silence apart, in windows of at most ``max_s``.

    Whisper encodes a full 30 s window however little speech it holds, so ten 2 s regions cost
    ten encoder passes unpacked and one packed.
    """
    gap = np.zeros(round(gap_s * SAMPLE_RATE_HZ), dtype=np.float32)
    chunks: list[np.ndarray] = []
    windows: list[SpeechRegion] = []
    pieces: list[Piece] = []
    cursor = 0  # samples written so far
    win_start = 0
    for r in regions:
        a, b = sample_bounds(r, x.shape[0])
        n = b - a
        if cursor > win_start and (cursor - win_start + gap.size + n) > max_s * SAMPLE_RATE_HZ:
            windows.append(_window(win_start, cursor))
            chunks.append(gap)  # keeps windows apart in the decoded audio
            cursor += gap.size
            win_start = cursor
        elif cursor > win_start:
            chunks.append(gap)
            cursor += gap.size
        chunks.append(x[a:b])
        pieces.append(
            Piece(cursor / SAMPLE_RATE_HZ, (cursor + n) / SAMPLE_RATE_HZ, a / SAMPLE_RATE_HZ)
        )
        cursor += n
    if cursor > win_start:
        windows.append(_window(win_start, cursor))
    return np.concatenate(chunks), windows, pieces


def trimmed_windows(
    x: np.ndarray,
    regions: list[SpeechRegion],
    *,
    window_s: float,
    isolate: Sequence[bool],
    max_pause_s: float,
) -> tuple[np.ndarray, list[SpeechRegion], list[Piece]]:
    """Windows of real audio whose long pauses are shortened to ``max_pause_s``.

    The grouping is :func:`plan_windows` on a timeline where every pause counts at most
    ``max_pause_s``; each window's audio is then its regions with the pauses between them,
    a pause longer than ``max_pause_s`` keeping only its first and last ``max_pause_s / 2``.
    Returns the decoded audio (windows back to back), the windows in it and one piece per region
    mapping decoded time to call time.
    """
    half_s = max_pause_s / 2
    comp: list[SpeechRegion] = []
    t = 0.0
    for k, r in enumerate(regions):
        if k:
            t += min(r.start_s - regions[k - 1].end_s, max_pause_s)
        comp.append(SpeechRegion(t, t + r.duration_s))
        t += r.duration_s
    chunks: list[np.ndarray] = []
    windows: list[SpeechRegion] = []
    pieces: list[Piece] = []
    cursor = 0
    k = 0
    for g in plan_windows(comp, window_s=window_s, isolate=isolate):
        members = []
        while k < len(regions) and comp[k].start_s < g.end_s - 1e-9:
            members.append(regions[k])
            k += 1
        bounds: list[list[float]] = [[members[0].start_s, members[0].end_s]]
        inside: list[list[SpeechRegion]] = [[members[0]]]
        for prev, r in itertools.pairwise(members):
            if r.start_s - prev.end_s <= max_pause_s:
                bounds[-1][1] = r.end_s
                inside[-1].append(r)
            else:
                bounds[-1][1] = prev.end_s + half_s
                bounds.append([r.start_s - half_s, r.end_s])
                inside.append([r])
        win_start = cursor
        for (a_s, b_s), held in zip(bounds, inside, strict=True):
            a, b = sample_bounds(SpeechRegion(a_s, b_s), x.shape[0])
            for r in held:
                ra, rb = sample_bounds(r, x.shape[0])
                pieces.append(
                    Piece(
                        (cursor + ra - a) / SAMPLE_RATE_HZ,
                        (cursor + rb - a) / SAMPLE_RATE_HZ,
                        ra / SAMPLE_RATE_HZ,
                    )
                )
            chunks.append(x[a:b])
            cursor += b - a
        windows.append(_window(win_start, cursor))
    return np.concatenate(chunks), windows, pieces


def plan_windows(
    regions: Sequence[SpeechRegion], *, window_s: float, isolate: Sequence[bool] = ()
) -> list[SpeechRegion]:
    """Group neighbouring regions into as few Whisper windows of real audio as possible.

    Each window runs from its first region's start to its last region's end, the real pauses
    between them included, and is at most ``window_s`` long; among the groupings with the fewest
    windows, the one that cuts at the longest pauses (each counted up to 3 s) wins. A region
    flagged in ``isolate`` always gets a window of its own.

    Parameters
    ----------
    regions : sequence of SpeechRegion
        Sorted, non-overlapping, each at most ``window_s`` long (the output of
        :func:`plan_regions`).
    window_s : float
        Longest window.
    isolate : sequence of bool, optional
        One flag per region.
    """
    flags = list(isolate) or [False] * len(regions)
    if len(flags) != len(regions):
        raise ValueError("isolate needs one flag per region")
    out: list[SpeechRegion] = []
    run: list[SpeechRegion] = []
    for r, alone in zip(regions, flags, strict=True):
        if alone:
            out += _group_run(run, window_s)
            out.append(r)
            run = []
        else:
            run.append(r)
    out += _group_run(run, window_s)
    return out


def _group_run(run: list[SpeechRegion], window_s: float) -> list[SpeechRegion]:
    """Optimal contiguous grouping of ``run`` (see :func:`plan_windows`), by dynamic programming."""
    n = len(run)
    # best[j]: (windows, -sum of capped cut pauses, start index of the last window) for run[:j]
    best: list[tuple[int, float, int]] = [(0, 0.0, 0)] + [(n + 1, 0.0, 0)] * n
    for j in range(1, n + 1):
        for i in range(j - 1, -1, -1):
            if run[j - 1].end_s - run[i].start_s > window_s + 1e-9 and i < j - 1:
                break
            cut = min(run[i].start_s - run[i - 1].end_s, 3.0) if i > 0 else 0.0
            cand = (best[i][0] + 1, best[i][1] - cut, i)
            if cand[:2] < best[j][:2]:
                best[j] = cand
    windows = []
    j = n
    while j > 0:
        i = best[j][2]
        windows.append(SpeechRegion(run[i].start_s, run[j - 1].end_s))
        j = i
    return windows[::-1]


def overlaps_any(r: SpeechRegion, others: Sequence[SpeechRegion]) -> bool:
    return any(o.start_s < r.end_s and r.start_s < o.end_s for o in others)


def _window(a: int, b: int) -> SpeechRegion:
    return SpeechRegion(a / SAMPLE_RATE_HZ, b / SAMPLE_RATE_HZ)


def sample_bounds(r: SpeechRegion, n: int) -> tuple[int, int]:
    a = max(0, round(r.start_s * SAMPLE_RATE_HZ))
    b = min(n, round(r.end_s * SAMPLE_RATE_HZ))
    return a, max(a, b)


def peak_amplitude(x: np.ndarray, r: SpeechRegion) -> float:
    a, b = sample_bounds(r, x.shape[0])
    return float(np.max(np.abs(x[a:b]))) if b > a else 0.0


@dataclass(frozen=True)
class LineQuality:
    """How far a channel's speech stands over its noise floor, and the decoding it chose.

    ``line`` is ``"noisy"`` (decoded with the noisy-line settings), ``"clean"``, or
    ``"unmeasured"`` (too little audio away from speech to measure a floor: fast settings), and
    ``thresholds`` names the options that decided it, so a transcript says why its words were
    decoded the way they were.
    """

    line: str
    speech_dbfs: float | None
    noise_dbfs: float | None
    snr_db: float | None
    noise_s: float
    beam_size: int
    context_min_s: float | None
    thresholds: dict[str, float | None]

    @property
    def noisy(self) -> bool:
        return self.line == "noisy"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: levels rounded to 0.1 dB, ``context_min_s`` None meaning the full 30 s."""

        def r(v: float | None) -> float | None:
            return None if v is None else round(v, 1)

        return {
            "line": self.line,
            "speech_dbfs": r(self.speech_dbfs),
            "noise_dbfs": r(self.noise_dbfs),
            "snr_db": r(self.snr_db),
            "noise_s": round(self.noise_s, 2),
            "beam_size": self.beam_size,
            "context_min_s": self.context_min_s,
            "thresholds": dict(self.thresholds),
        }


def line_quality(
    x: np.ndarray, regions: Sequence[SpeechRegion], options: TranscriberOptions
) -> LineQuality:
    """Speech level, noise floor and their difference for one channel, and the decoding chosen.

    Speech level: the power mean of the louder half of the 20 ms frames inside ``regions`` (an
    active-speech level; the pauses between words and the quiet ends of a region do not pull it
    down), dBFS. Noise floor: the ``noisy_line_floor_percentile`` of the levels (dB) of the 20 ms
    frames at least ``noisy_line_guard_s`` from every region: a steady line noise sits there,
    while the other party's echo, breaths and clicks lie above it. With less than
    ``noisy_line_min_noise_s`` of such frames (or no speech frames, or ``noisy_line_snr_db``
    None) the line is ``"unmeasured"`` and keeps the fast settings.
    """
    o = options
    thresholds: dict[str, float | None] = {
        "noisy_line_snr_db": o.noisy_line_snr_db,
        "noisy_line_min_noise_s": o.noisy_line_min_noise_s,
    }

    def fast(
        line: str, speech: float | None, noise: float | None, snr: float | None, noise_s: float
    ) -> LineQuality:
        return LineQuality(
            line, speech, noise, snr, noise_s, o.beam_size, o.context_min_s, thresholds
        )

    n = x.shape[0] // _LEVEL_FRAME
    if o.noisy_line_snr_db is None or n < 1 or not regions:
        return fast("unmeasured", None, None, None, 0.0)
    frames = x[: n * _LEVEL_FRAME].reshape(n, _LEVEL_FRAME)
    power = np.einsum("ij,ij->i", frames, frames, dtype=np.float64) / _LEVEL_FRAME + 1e-12
    inside = np.zeros(n, dtype=bool)
    near = np.zeros(n, dtype=bool)
    g = o.noisy_line_guard_s

    def frame(t_s: float) -> int:  # the first frame whose middle lies at or after t_s
        return min(n, max(0, int(np.ceil(t_s * SAMPLE_RATE_HZ / _LEVEL_FRAME - 0.5))))

    for r in regions:
        inside[frame(r.start_s) : frame(r.end_s)] = True
        near[frame(r.start_s - g) : frame(r.end_s + g)] = True
    away = ~near
    noise_s = float(np.count_nonzero(away)) * _LEVEL_FRAME / SAMPLE_RATE_HZ
    speech_p = np.sort(power[inside])
    if speech_p.size == 0:
        return fast("unmeasured", None, None, None, noise_s)
    speech_dbfs = float(10 * np.log10(speech_p[speech_p.size // 2 :].mean()))
    if noise_s < o.noisy_line_min_noise_s:
        return fast("unmeasured", speech_dbfs, None, None, noise_s)
    noise_dbfs = float(np.percentile(10 * np.log10(power[away]), o.noisy_line_floor_percentile))
    snr_db = speech_dbfs - noise_dbfs
    if snr_db < o.noisy_line_snr_db:
        return LineQuality(
            "noisy",
            speech_dbfs,
            noise_dbfs,
            snr_db,
            noise_s,
            beam_size=o.noisy_line_beam_size,
            context_min_s=o.noisy_line_context_min_s,
            thresholds=thresholds,
        )
    return fast("clean", speech_dbfs, noise_dbfs, snr_db, noise_s)
