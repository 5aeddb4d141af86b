"""The one streaming core behind both ``calltone analyze`` and the live WebSocket.

``CallAnalyzer.push(chunk)`` takes two-channel (or mono) 16 kHz float32 audio in chunks of any
size and returns the events that became certain; ``finish()`` closes what is open and returns the
whole :class:`AnalysisResult`. A recorded file is fed through the same object a live call feeds,
so live and batch results agree by construction.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from calltone.audio.channels import ChannelRoles, Role
from calltone.audio.crosstalk import CrosstalkOptions, EchoPathState
from calltone.audio.errors import AudioError
from calltone.audio.features import FeatureStream, FrameBlock, NucleusIntervals
from calltone.audio.voice_match import CepstrumStream, VoiceMatcher
from calltone.models.tone.baseline import BaselineSnapshot, SpeakerBaseline, hz_to_st
from calltone.models.tone.config import AnalysisConfig
from calltone.models.tone.detectors import (
    AgentToneDetector,
    DeadAirDetector,
    YellingDetector,
    rejudge_yelling,
)
from calltone.models.tone.events import Event
from calltone.models.tone.frames import CallFrames, PartyFrames, TimeFn
from calltone.models.tone.gain import GainShift, GainShiftTracker, PairUpFollow, shifted
from calltone.models.tone.noise import NO_NOISE_DBFS, LineNoise
from calltone.models.tone.turns import InterruptionDetector, near_voice

BASELINE_TICK_S = 1.0
_LOUDNESS_DB_BINS = np.arange(-120.0, 0.5, 0.5)
_PITCH_ST_BINS = np.arange(-24.0, 48.05, 0.1)


@dataclass
class SpeakerMetrics:
    """Running per-speaker totals, cheap to keep for hours of audio."""

    speech_frames: int = 0
    #: Speech frames as the detectors read them (``PartyFrames.speech``): the syllable rate's
    #: time base, so the front end's masked hangover (talk time without syllables) leaves it.
    heard_frames: int = 0
    voiced_frames: int = 0
    nuclei: int = 0
    #: ``FeatureOptions.syllable_interval_max_s`` in frames (0 = off): the syllable rate is
    #: then read over the intervals between nuclei (:class:`NucleusIntervals`).
    interval_max_frames: int = 0
    intervals: NucleusIntervals | None = None
    loudness_hist: np.ndarray = field(
        default_factory=lambda: np.zeros(_LOUDNESS_DB_BINS.size - 1, np.int64)
    )
    pitch_st_hist: np.ndarray = field(
        default_factory=lambda: np.zeros(_PITCH_ST_BINS.size - 1, np.int64)
    )

    def add(self, frames: PartyFrames, talk: np.ndarray | None = None) -> None:
        """``talk``: the frames counted as talk time (default ``frames.speech``; the stream
        passes the front end's ``speech``, which the masked hangover may extend)."""
        voiced, pitch_st = frames.voiced, frames.pitch_st
        heard = int(np.count_nonzero(frames.speech))
        self.heard_frames += heard
        self.speech_frames += heard if talk is None else int(np.count_nonzero(talk))
        n_voiced = int(np.count_nonzero(voiced))
        self.voiced_frames += n_voiced
        self.nuclei += int(np.count_nonzero(frames.nucleus))
        if self.interval_max_frames > 0:
            if self.intervals is None:
                self.intervals = NucleusIntervals(self.interval_max_frames)
            self.intervals.push(frames.nucleus, frames.speech)
        if n_voiced:
            _add_counts(self.loudness_hist, frames.loudness_dbfs[voiced], _LOUDNESS_DB_BINS)
            _add_counts(
                self.pitch_st_hist, pitch_st[voiced & np.isfinite(pitch_st)], _PITCH_ST_BINS
            )

    def to_dict(self, hop_s: float) -> dict[str, Any]:
        talk_s = self.speech_frames * hop_s
        median_pitch_st = _hist_median(self.pitch_st_hist, _PITCH_ST_BINS)
        return {
            "talk_time_s": round(talk_s, 2),
            "voiced_s": round(self.voiced_frames * hop_s, 2),
            "median_loudness_dbfs": _round(_hist_median(self.loudness_hist, _LOUDNESS_DB_BINS)),
            "median_pitch_hz": _round(
                None if median_pitch_st is None else 100.0 * 2 ** (median_pitch_st / 12.0), 1
            ),
            "syllable_rate_per_s": self._syllable_rate(hop_s),
        }

    def _syllable_rate(self, hop_s: float) -> float | None:
        if self.interval_max_frames > 0:
            rate = None if self.intervals is None else self.intervals.rate_per_s(hop_s)
            return None if rate is None else round(rate, 2)
        return round(self.nuclei / (self.heard_frames * hop_s), 2) if self.heard_frames else None


def _add_counts(hist: np.ndarray, values: np.ndarray, bins: np.ndarray) -> None:
    """``hist += np.histogram(values, bins)[0]`` without its per-call overhead (this runs on
    every 20 ms of live audio): same bins, values outside ignored, the last edge included."""
    idx = np.searchsorted(bins, values, side="right") - 1
    idx[values == bins[-1]] = bins.size - 2
    idx = idx[(idx >= 0) & (idx < bins.size - 1)]
    if idx.size:
        hist += np.bincount(idx, minlength=bins.size - 1)


def _hist_median(hist: np.ndarray, bins: np.ndarray) -> float | None:
    total = int(hist.sum())
    if total == 0:
        return None
    k = int(np.searchsorted(np.cumsum(hist), total / 2.0))
    return float((bins[k] + bins[k + 1]) / 2.0)


def _round(x: float | None, nd: int = 2) -> float | None:
    return None if x is None else round(x, nd)


@dataclass(frozen=True)
class SpeechRun:
    """One stretch of a party's speech (speech-activity decision, hangover included)."""

    speaker: str
    start_s: float
    end_s: float


@dataclass
class Timeline:
    """Per-speaker loudness, pitch and speech on a coarse grid, for plots and reports.

    Arrays are shape ``(n_bins,)``; ``loudness_dbfs`` is the loudest frame in each bin,
    ``pitch_hz`` the median voiced pitch (NaN when unvoiced), ``speech`` whether any frame
    was speech.
    """

    step_s: float
    loudness_dbfs: dict[str, np.ndarray]
    pitch_hz: dict[str, np.ndarray]
    speech: dict[str, np.ndarray]

    def to_dict(self) -> dict[str, Any]:
        def clean(a: np.ndarray, nd: int) -> list[float | None]:
            return [None if not np.isfinite(v) else round(float(v), nd) for v in a]

        return {
            "step_s": self.step_s,
            "loudness_dbfs": {p: clean(a, 1) for p, a in self.loudness_dbfs.items()},
            "pitch_hz": {p: clean(a, 1) for p, a in self.pitch_hz.items()},
            "speech": {p: [bool(v) for v in a] for p, a in self.speech.items()},
        }


@dataclass
class AnalysisResult:
    """Everything the core found in one call."""

    duration_s: float
    roles: ChannelRoles
    events: list[Event]
    metrics: dict[str, Any]
    config: AnalysisConfig
    notes: list[str] = field(default_factory=list)
    speech_runs: dict[str, list[SpeechRun]] = field(default_factory=dict)
    timeline: Timeline | None = None
    baselines: dict[str, BaselineSnapshot] = field(default_factory=dict)
    """Each party's baseline at the end (what a voice profile is made of)."""

    def update_events(self, updates: list[Event]) -> None:
        """Replace events by updates with the same id (evidence found later, e.g. the words
        said during an interruption)."""
        by_id = {e.id: e for e in updates}
        self.events = [by_id.get(e.id, e) for e in self.events]

    def events_sorted(self) -> list[Event]:
        return sorted(self.events, key=lambda e: (e.start_s, e.kind, e.speaker))


class CallAnalyzer:
    """Push audio in, get events out; the same for live and recorded calls.

    Parameters
    ----------
    roles : ChannelRoles
        Which input row is the agent and which the customer; ``None`` for an absent party.
    n_channels : int
        Rows in each pushed chunk (1 for mono, 2 for a call; more when roles pick two of them).
    config : AnalysisConfig, optional
        All thresholds; defaults documented in :mod:`models.tone.config`.
    keep_timeline : bool
        Keep a coarse loudness/pitch/speech timeline for plots.
    profiles : dict, optional
        Saved voice profiles by role (``{"agent": snapshot}``): that party's baseline starts
        from it instead of the cold-start prior (:class:`models.tone.baseline.SpeakerBaseline`).
    """

    def __init__(
        self,
        *,
        roles: ChannelRoles,
        n_channels: int,
        config: AnalysisConfig | None = None,
        keep_timeline: bool = False,
        profiles: dict[str, BaselineSnapshot] | None = None,
    ) -> None:
        self.config = config or AnalysisConfig()
        self.roles = roles
        self.n_channels = n_channels
        self.parties = roles.present
        if not self.parties:
            raise AudioError("no party to analyse: give the agent or the customer a channel")
        self._rows = [getattr(roles, p) for p in self.parties]
        o = self.config.features
        if self.config.agent_tone.harshness_band_hnr_share > 0 and not o.band_hnr:
            o = replace(o, band_hnr=True)  # the voice's HNR reads the telephone band
        if self.config.agent_tone.effort_alpha_share > 0 and not o.alpha_ratio:
            o = replace(o, alpha_ratio=True)  # vocal effort reads the band's alpha ratio
        self.hop_s = o.hop_s
        self.time_of = TimeFn(o.hop_s, o.pitch_window / 2 / o.sample_rate_hz)
        self._features = FeatureStream(len(self.parties), o)
        self._tick = max(1, round(BASELINE_TICK_S / o.hop_s))
        self.baselines = {
            p: SpeakerBaseline(
                self.config.baseline,
                hop_s=o.hop_s,
                profile=(profiles or {}).get(p),
                # Read only by the agent's tone window at a level percentile.
                speech_quantiles=p == "agent" and self.config.agent_tone.level_top_percentile > 0,
                # Read only by the agent's tone vote (``spread_scale_robust_share``).
                pitch_spread_robust=(
                    p == "agent" and self.config.agent_tone.spread_scale_robust_share > 0
                ),
                # Read only by the agent's tone window (``speech_level_max_db_over_median``).
                speech_median=(
                    p == "agent" and self.config.agent_tone.speech_level_max_db_over_median > 0
                ),
            )
            for p in self.parties
        }
        self._noise = {p: LineNoise(self.config.noise, hop_s=o.hop_s) for p in self.parties}
        # Level steps of each party's line (:mod:`.gain`) and the shifts made for them.
        self._gain = {
            p: GainShiftTracker(self.config.baseline, hop_s=o.hop_s) for p in self.parties
        }
        self.gain_shifts: dict[str, list[GainShift]] = {p: [] for p in self.parties}
        # Provisional steps while both lines show one (``BaselineConfig.gain_pending_*``).
        self.provisional_shifts: dict[str, list[dict[str, float]]] = {p: [] for p in self.parties}
        self._provisional_on: dict[str, bool] = {p: False for p in self.parties}
        # The other line's step up followed here (``BaselineConfig.gain_pair_up_*``).
        self._pair_up = PairUpFollow(self.config.baseline, hop_s=o.hop_s, parties=self.parties)
        self._pair_up_on = self._pair_up.enabled and self.config.baseline.gain_shift_min_db > 0
        self._yelling = {
            p: YellingDetector(self.config.yelling, speaker=p, hop_s=o.hop_s) for p in self.parties
        }
        self._tone = (
            AgentToneDetector(self.config.agent_tone, speaker="agent", hop_s=o.hop_s)
            if "agent" in self.parties
            else None
        )
        self._interrupt = (
            InterruptionDetector(self.config.interruption, hop_s=o.hop_s)
            if roles.two_party
            else None
        )
        self._dead_air = DeadAirDetector(self.config.dead_air, hop_s=o.hop_s)
        # Each party's cepstra and owner / other-voice models (``AnalysisConfig.voice_match``;
        # two parties only: the other-voice model learns in the other party's turns).
        vm = self.config.voice_match
        self._voice = (
            {p: VoiceMatcher(vm, hop_s=o.hop_s) for p in self.parties}
            if vm.enabled and roles.two_party
            else {}
        )
        # Both parties' cepstra in one stream (rows in ``self.parties`` order).
        self._cepstra = (
            CepstrumStream(
                vm,
                sample_rate_hz=o.sample_rate_hz,
                hop=o.hop,
                offset=(o.pitch_window - o.loudness_window) // 2,
                window=o.loudness_window,
                channels=len(self.parties),
            )
            if self._voice
            else None
        )
        self._other_voice_frames = {p: 0 for p in self.parties}
        # VoiceMatchOptions.defer_cepstra: blocks whose cepstra are not computed yet (start, n,
        # voiced, samples in then) and the learning that waits for them (party, block, i, j,
        # owner, other), in order; computed at the tick's commit (_learn_deferred).
        self._ceps_due: list[tuple[int, int, np.ndarray, int]] = []
        self._learn_due: list[tuple[Role, int, int, int, np.ndarray, np.ndarray]] = []
        # Each party's frames of the current baseline tick, with the frames flagged in them.
        self._tick_buf: dict[str, list[tuple[PartyFrames, np.ndarray, np.ndarray]]] = {
            p: [] for p in self.parties
        }
        # Each party's frames of the current baseline tick not yet read for a level step
        # (_gain_step reads them at the tick's end).
        self._gain_buf: dict[str, list[PartyFrames]] = {p: [] for p in self.parties}
        # Finished ticks the baseline has not learnt yet: a tick is learnt once the detectors
        # have judged ``learn_delay_s`` of speech after it, less the frames that lie that close
        # before a flagged one (see _flush_tick).
        self._learn_delay = max(0, round(self.config.baseline.learn_delay_s / o.hop_s))
        # Settling: each party's flagged speech frames so far, and whether any yelling or tone
        # event of theirs has been confirmed (``BaselineConfig.settling_unconfirmed_flag_s``).
        self._settle_flagged = {p: 0 for p in self.parties}
        # Each party's last frame marking their turn (global index), by _holds_floor's key
        # (party, or party + ":own"), for ``BaselineConfig.other_turn_floor_spreads``.
        self._last_talk: dict[str, float] = {}
        # Each party's flagged speech frames while their voiced level rests on the prior
        # (``BaselineConfig.prior_lock_flagged_s``).
        self._prior_flagged = {p: 0 for p in self.parties}
        self._had_event = {p: False for p in self.parties}
        # Each party's frames while a rebase can still happen, and the rebases seen
        # (``YellingConfig.rejudge_after_rebase``).
        self._early: dict[str, list[PartyFrames]] = {p: [] for p in self.parties}
        self._rebases_seen = {p: 0 for p in self.parties}
        self._pending: dict[str, list[tuple[PartyFrames, np.ndarray, np.ndarray]]] = {
            p: [] for p in self.parties
        }
        f = self.config.features
        interval_max = f.frames(f.syllable_interval_max_s) if f.syllable_interval_max_s > 0 else 0
        self.metrics = {p: SpeakerMetrics(interval_max_frames=interval_max) for p in self.parties}
        self.events: list[Event] = []
        # Where each open event sits in ``events``, by its lane (kind, speaker): a detector holds
        # at most one open event per lane, so an update replaces the event its lane has open.
        self._open_at: dict[tuple[str, str], int] = {}
        self.speech_runs: dict[str, list[SpeechRun]] = {p: [] for p in self.parties}
        self._run_start: dict[str, int | None] = {p: None for p in self.parties}
        self._new_runs: list[SpeechRun] = []
        # The last push's event updates in the order the detectors made them, before
        # ``_record`` merges them to one per event: what the alert policy reads (an event that
        # opened and grew in one push is seen as it opened, whatever the push's size).
        self.last_updates: list[Event] = []
        self._samples_in = 0
        self._frames_done = 0
        self._finished = False
        self._timeline: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] | None = (
            {p: [] for p in self.parties} if keep_timeline else None
        )

    # ---------------------------------------------------------------- public push API

    @property
    def time_s(self) -> float:
        """Audio time (s) up to which frames are finished."""
        return self._frames_done * self.hop_s

    def push(self, chunk: np.ndarray) -> list[Event]:
        """Feed ``(n_channels, n)`` float32 samples at 16 kHz; return events opened or closed."""
        if self._finished:
            raise AudioError(
                "this call's analysis is finished; start a new analyzer for more audio"
            )
        x = np.asarray(chunk, dtype=np.float32)
        if x.ndim == 1 and self.n_channels == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[0] != self.n_channels:
            raise AudioError(
                f"expected audio shaped ({self.n_channels}, n_samples), got {x.shape}; "
                "send one row per channel"
            )
        if not np.isfinite(x).all():
            raise AudioError(
                "audio chunk contains NaN or infinite samples; send finite PCM samples"
            )
        self._samples_in += x.shape[1]
        rows = x[self._rows]
        if self._cepstra is not None:
            self._cepstra.push(rows)
        return self._consume(self._features.push(rows))

    def end_audio(self) -> list[Event]:
        """Flush the tail and close open events; return the events this closed, in call order
        (each as it ends: events opened and closed by the tail included)."""
        if self._finished:
            return []
        closed_before = {i for i, e in enumerate(self.events) if not e.is_open}
        self._consume(self._features.finish())
        end = self._frames_done
        for p in self.parties:
            if self._gain_buf[p]:  # the last, unfinished tick's level step, read at the end
                shift, moved_db = self._gain_step(p, None, end)
                if shift is not None and self.config.baseline.gain_shift_pending:
                    self._restate_pending(p, moved_db, shift.onset_index)
        for p in self.parties:
            self._flush_tick(p, final=True)
            self._record(self._rejudge([]))
            self._close_run(p, end)
            self._record(self._yelling[p].finish(end, self.time_of, self._snapshots()))
        if self._tone is not None:
            self._record(self._tone.finish(end, self.time_of, self._snapshots()))
        if self._interrupt is not None:
            self._record(self._interrupt.finish(end, self.time_of, self._snapshots()))
        self._record(self._dead_air.finish(end, self.time_of, self._snapshots()))
        self._finished = True
        return [e for i, e in enumerate(self.events) if not e.is_open and i not in closed_before]

    def finish(self) -> AnalysisResult:
        """Flush the tail, close open events and return the whole result."""
        self.end_audio()
        return self.result()

    def result(self) -> AnalysisResult:
        duration_s = self._samples_in / self.config.features.sample_rate_hz
        notes = []
        if not self.roles.two_party:
            notes.append("mono recording: one speaker analysed; interruptions need two channels")
        return AnalysisResult(
            duration_s=duration_s,
            roles=self.roles,
            events=[e for e in self.events if not e.is_open]
            if self._finished
            else list(self.events),
            metrics=self._metrics(duration_s),
            config=self.config,
            notes=notes,
            speech_runs={p: list(r) for p, r in self.speech_runs.items()},
            timeline=self._build_timeline(),
            baselines={p: b.snapshot for p, b in self.baselines.items()},
        )

    def _build_timeline(self, step_s: float = 0.1) -> Timeline | None:
        if self._timeline is None:
            return None
        k = max(1, round(step_s / self.hop_s))
        loud: dict[str, np.ndarray] = {}
        pitch: dict[str, np.ndarray] = {}
        speech: dict[str, np.ndarray] = {}
        for p, parts in self._timeline.items():
            if not parts:
                continue
            lo, f0, sp = (np.concatenate(col) for col in zip(*parts, strict=True))
            n = lo.size // k * k
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN bins are unvoiced
                loud[p] = lo[:n].reshape(-1, k).max(axis=1)
                pitch[p] = np.nanmedian(f0[:n].reshape(-1, k), axis=1)
            speech[p] = np.asarray(sp[:n].reshape(-1, k).any(axis=1))
        return Timeline(step_s=k * self.hop_s, loudness_dbfs=loud, pitch_hz=pitch, speech=speech)

    def open_run_start_s(self, party: str) -> float | None:
        """Start of the party's speech run still going on, if any."""
        g = self._run_start.get(party)  # type: ignore[call-overload,unused-ignore]
        return None if g is None else self.time_of(g) - self.hop_s / 2

    def drain_speech_runs(self) -> list[SpeechRun]:
        """Speech runs that ended since the last call (for live transcription)."""
        out, self._new_runs = self._new_runs, []
        return out

    # ---------------------------------------------------------------- internals

    def _record(self, updates: list[Event]) -> list[Event]:
        """Keep the detectors' updates and return them merged: one per event, at the place its
        first update had, as it stands after the last (the alert policy sees each event once
        per push, in its latest form)."""
        merged: list[Event] = []
        merged_at: dict[tuple[str, str], int] = {}
        for ev in updates:
            lane = (ev.kind, ev.speaker)
            i = self._open_at.pop(lane, None)
            if i is None:
                self.events.append(ev)
                i = len(self.events) - 1
            else:
                self.events[i] = ev
            if ev.is_open:
                self._open_at[lane] = i
            k = merged_at.pop(lane, None)
            if k is None:
                merged.append(ev)
                k = len(merged) - 1
            else:
                merged[k] = ev
            if ev.is_open:
                merged_at[lane] = k
        return merged

    def _snapshots(self) -> dict[str, BaselineSnapshot]:
        return {p: b.snapshot for p, b in self.baselines.items()}

    def _provisional(
        self, snaps: dict[str, BaselineSnapshot], now_s: float
    ) -> dict[str, BaselineSnapshot]:
        """The snapshots the detectors read: a party's level raised by the step their
        effortless frames show while the other line shows one of the same size (or was
        shifted lately): both lines stepped at once (``BaselineConfig.gain_pending_*``)."""
        c = self.config.baseline
        if self._pair_up_on:
            snaps = {p: self._pair_up.raised(p, s) for p, s in snaps.items()}
        if c.gain_pending_voiced_s <= 0 or len(self.parties) != 2:
            return snaps
        steps = {p: self._gain[p].pending_db(snaps[p], now_s) for p in self.parties}
        out = dict(snaps)
        for p in self.parties:
            d = steps[p]
            q = next(o for o in self.parties if o != p)
            dq = steps[q]
            last = self.gain_shifts[q][-1] if self.gain_shifts[q] else None
            if last is not None and now_s - last.at_s <= c.gain_pending_max_age_s:
                dq = last.shift_db  # its tracker followed the step: its baseline moved
            on = (
                d is not None
                and d >= c.gain_shift_min_db
                and dq is not None
                and dq >= c.gain_shift_min_db
                and abs(d - dq) <= c.gain_pending_pair_db
            )
            if on:
                assert d is not None and dq is not None
                # One gain moved both lines: the two readings estimate the same step.
                step = 0.5 * (d + dq)
                out[p] = shifted(snaps[p], step)
                if not self._provisional_on[p]:
                    self.provisional_shifts[p].append(
                        {
                            "at_s": round(now_s, 3),
                            "shift_db": round(step, 2),
                            "own_db": round(d, 2),
                            "other_db": round(dq, 2),
                        }
                    )
            self._provisional_on[p] = on
        return out

    def _consume(self, block: FrameBlock) -> list[Event]:
        n = len(block)
        self.last_updates = []
        if n == 0:
            return []
        out: list[Event] = []
        start = block.start_index
        parties: dict[str, PartyFrames] = {}
        for p, c in zip(self.parties, block.channels, strict=True):
            comp = self._noise[p].compensate(start, c.loudness_dbfs, c.heard, c.hnr_db, c.tilt_db)
            # NoiseCompensationConfig.rise_unheard_margin_db: the new noise the gate still
            # calls speech after a rise the fast track read is not speech here.
            speech = comp.pop("speech", c.heard)
            parties[p] = PartyFrames(
                start,
                loudness_dbfs=c.loudness_dbfs,
                pitch_st=hz_to_st(c.f0_hz),
                voiced=c.voiced,
                # Without the front end's masked hangover (FeatureOptions
                # .vad_masked_hangover_s_per_db): it is talk time, not evidence of tone.
                speech=speech,
                nucleus=c.nucleus,
                tilt_db=c.tilt_db,
                hnr_db=c.hnr_db,
                **_with_band_hnr(
                    comp, c.band_hnr_db, self.config.agent_tone.harshness_band_hnr_share
                ),
            )
        frames = CallFrames(start, parties, self.time_of)
        w = self.config.noise.agent_tone_voice_tilt_share
        if w > 0:
            # The baseline and agent_tone's vocal effort read the voice's own tilt.
            frames = CallFrames(
                start,
                {
                    p: replace(f, tilt_db=(1.0 - w) * f.tilt_db + w * f.voice_tilt_db)
                    for p, f in frames.parties.items()
                },
                self.time_of,
            )
        a = self.config.agent_tone.effort_alpha_share
        if a > 0:
            # The baseline and agent_tone's vocal effort read the band's alpha ratio.
            frames = CallFrames(
                start,
                {
                    p: replace(f, tilt_db=((1.0 - a) * f.tilt_db + a * c.alpha_db))
                    for (p, f), c in zip(frames.parties.items(), block.channels, strict=True)
                },
                self.time_of,
            )
        for p, c in zip(self.parties, block.channels, strict=True):
            self.metrics[p].add(frames.parties[p], c.speech)
            if self._timeline is not None:
                self._timeline[p].append((c.loudness_dbfs, c.f0_hz, c.heard))
        # Baseline-dependent detectors, one baseline tick at a time.
        i = 0
        # The turn detector reads each party's baseline as it stood before each tick (the far
        # voice rule), so its events do not depend on chunking; it runs after the tick loop.
        turn_ticks: list[tuple[CallFrames, dict[str, BaselineSnapshot], dict[str, np.ndarray]]] = []
        ceps: dict[Role, np.ndarray] = {}
        if self._cepstra is not None:  # only voiced frames are judged or learnt
            voiced = np.array([c.voiced for c in block.channels])
            if self.config.voice_match.defer_cepstra and not any(
                m.ready for m in self._voice.values()
            ):
                # Nothing is judged before a commit: the cepstra wait for it (_learn_deferred).
                self._ceps_due.append((start, n, voiced, self._cepstra.samples_in))
            else:
                both = self._cepstra.take(start, n, voiced)
                ceps = dict(zip(self.parties, both, strict=True))
        while i < n:
            j = min(n, i + self._tick - ((start + i) % self._tick))
            tick = frames if i == 0 and j == n else frames.slice(i, j)  # most live steps
            raw_tick, other_voice = tick, None
            not_own: dict[str, np.ndarray] = {}
            if self._voice:
                tick, other_voice = self._mask_other_voices(tick, ceps, i, j, not_own)
            if self._interrupt is not None:
                turn_ticks.append((tick, self._snapshots(), not_own))
            holds = self._holds_floor(tick)
            if other_voice is not None:
                self._learn_voices(raw_tick, ceps, i, j, other_voice, holds)
            # Read at the tick's start on the global grid, wherever this push began in it.
            tick_start_s = self.time_of((start + i) // self._tick * self._tick)
            for p in self.parties:
                # Each party's detectors read its baseline as it stood before this tick.
                baselines = self._provisional(self._snapshots(), tick_start_s)
                step = self._yelling[p].push(tick, baselines)
                out += step.events
                if step.events:
                    self._had_event[p] = True
                flagged = step.flagged
                if p == "agent" and self._tone is not None:
                    tone = self._tone.push(tick, baselines)
                    out += tone.events
                    if tone.events:
                        self._had_event[p] = True
                    flagged = _either(flagged, tone.flagged)
                assert flagged is not None  # the yelling detector flags every frame it reads
                # The line's level steps are read once per baseline tick, at its end on the
                # call's global grid, on the whole tick's frames: a push's end is no grid point
                # (live steps are 20-500 ms, by load; a recording's 10 s chunks end mid-tick).
                shift, moved_db = None, 0.0
                if (start + j) % self._tick == 0:
                    shift, moved_db = self._gain_step(p, tick.parties[p], start + j)
                else:
                    self._gain_buf[p].append(tick.parties[p])
                if len(self.parties) == 2:
                    # What this channel hears while the other talks (BaselineConfig.rebase_*).
                    q = next(o for o in self.parties if o != p)
                    talks = tick.parties[q].speech
                    if holds:
                        talks = talks & ~holds[f"{p}:own"]
                    self.baselines[p].hear_other_turn(tick.parties[p], talks)
                if self.config.yelling.rejudge_after_rebase and self._rebase_open(p):
                    self._early[p].append(tick.parties[p])
                self._tick_buf[p].append(
                    (tick.parties[p], flagged, self._over_other(tick, p, holds))
                )
                if shift is not None and self.config.baseline.gain_shift_pending:
                    self._restate_pending(p, moved_db, shift.onset_index)
                if (start + j) % self._tick == 0:
                    self._flush_tick(p)
                    # A rebase at this flush: the early frames re-judged now, up to the tick's
                    # end (not up to the push's: a 10 s chunk held 9 s more of them).
                    out += self._rejudge(out, now_s=(start + j) * self.hop_s)
                    if self._voice:
                        if self._ceps_due:  # the learning deferred to this commit
                            ceps.update(self._learn_deferred(keep_last=j < n))
                        self._voice[p].commit()  # the models change once per tick
            i = j
        for p in self.parties:
            self._track_runs(p, start, frames.parties[p].speech)
        if self._interrupt is not None:
            for tick, snaps, not_own in turn_ticks:
                out += self._interrupt.push(tick, snaps, not_own).events
        out += self._dead_air.push(frames, self._snapshots()).events
        self.last_updates = list(out)
        self._frames_done = start + n
        return self._record(out)

    def _track_runs(self, p: Role, start: int, speech: np.ndarray) -> None:
        if speech.size == 0:
            return
        before = 1 if self._run_start[p] is not None else 0
        if speech.all() if before else not speech.any():
            return  # the run (or the silence) goes on through the block
        d = np.diff(np.concatenate(([before], speech.astype(np.int8))))
        for pos in np.flatnonzero(d).tolist():
            if d[pos] > 0:
                self._run_start[p] = start + pos
            else:
                self._close_run(p, start + pos)

    def _close_run(self, p: Role, g: int) -> None:
        s0 = self._run_start[p]
        if s0 is None:
            return
        run = SpeechRun(p, self.time_of(s0) - self.hop_s / 2, self.time_of(g) - self.hop_s / 2)
        self.speech_runs[p].append(run)
        self._new_runs.append(run)
        self._run_start[p] = None

    def _over_other(self, tick: CallFrames, p: Role, holds: dict[str, np.ndarray]) -> np.ndarray:
        """Frames of ``p`` the baseline does not learn because the other party is talking
        (``BaselineConfig.learn_during_other_speech`` 0): a party's normal is learnt in their
        own turns, and a neighbour's babble in their microphone runs through the other's.
        Unlike a flag, nothing before them is withheld. The other party talks where their
        speech is near (:func:`models.tone.turns.near_voice`): babble in the agent's
        microphone is not the agent talking over the customer. With those learnt (1, the
        default), only ``p``'s frames quiet for them while the other party holds the floor
        and ``p`` does not are left out (``BaselineConfig.other_turn_floor_spreads``;
        ``holds`` from :meth:`_holds_floor`)."""
        n = len(tick.parties[p])
        others = [q for q in self.parties if q != p]
        c = self.config.baseline
        if not others:
            return np.zeros(n, dtype=bool)
        q = others[0]
        if not c.learn_during_other_speech:
            return near_voice(tick.parties[q], self.baselines[q].snapshot, self.config.interruption)
        if c.other_turn_floor_spreads <= 0:
            return np.zeros(n, dtype=bool)
        own = holds[f"{p}:own"]
        return holds[q] & ~own & self._quiet(p, tick.parties[p], c.other_turn_floor_spreads)

    def _mask_other_voices(
        self,
        tick: CallFrames,
        ceps: dict[Role, np.ndarray],
        i: int,
        j: int,
        not_own: dict[str, np.ndarray] | None = None,
    ) -> tuple[CallFrames, dict[Role, np.ndarray]]:
        """``tick`` with each party's frames judged another voice (``AnalysisConfig.voice_match``)
        taken out of their speech and voicing, and those frames by party. A frame is another
        voice where the owner / other-voice ratio, smoothed over the voiced frames up to it
        (models as they stood before this tick), exceeds ``llr_margin_nats`` and its voice level
        stands at least ``max_level_spreads`` loudness spreads under the party's baseline
        median; before both models are ready, none (:class:`audio.voice_match.VoiceMatcher`).

        ``not_own`` (filled in for each party whose models are ready, with
        ``InterruptionConfig.own_voice_evidence``): their speech frames without evidence of
        their own voice for the turn detector: voice level under their median less
        ``own_voice_level_spreads`` spreads, or (when set) a smoothed ratio over
        ``own_voice_max_llr_nats`` (:meth:`InterruptionDetector.push`)."""
        vm = self.config.voice_match
        ic = self.config.interruption
        own_rule = not_own is not None and ic.own_voice_evidence and self._interrupt is not None
        parties: dict[str, PartyFrames] = {}
        judged: dict[Role, np.ndarray] = {}
        for p in self.parties:
            f = tick.parties[p]
            matcher = self._voice[p]
            if not matcher.ready:  # the ratio is NaN everywhere: no frame is judged
                judged[p] = np.zeros(len(f), dtype=bool)
                parties[p] = f
                continue
            snap = self.baselines[p].snapshot
            ratio, dev = matcher.ratio(ceps[p][i:j], f.voiced, f.pitch_st - snap.pitch_st)
            bar = snap.loudness_dbfs - vm.max_level_spreads * snap.loudness_spread_db
            with np.errstate(invalid="ignore"):
                ov = f.speech & (f.voice_loudness_dbfs < bar) & (ratio > vm.llr_margin_nats)
                if vm.pitch_min_st > 0:
                    ov &= dev >= vm.pitch_min_st
                if own_rule:
                    assert not_own is not None
                    quiet_end = snap.loudness_dbfs - ic.own_voice_level_spreads * (
                        snap.loudness_spread_db
                    )
                    own = f.voice_loudness_dbfs >= quiet_end
                    if ic.own_voice_max_llr_nats > 0:
                        own &= ratio <= ic.own_voice_max_llr_nats
                    not_own[p] = f.speech & ~own
            judged[p] = ov
            if not ov.any():
                parties[p] = f
                continue
            self._other_voice_frames[p] += int(ov.sum())
            parties[p] = replace(
                f,
                speech=f.speech & ~ov,
                voiced=f.voiced & ~ov,
                nucleus=f.nucleus & ~ov,
                pitch_st=np.where(ov, np.nan, f.pitch_st).astype(f.pitch_st.dtype),
            )
        if all(parties[p] is tick.parties[p] for p in self.parties):
            return tick, judged  # nothing taken out (most ticks)
        return CallFrames(tick.start, parties, self.time_of), judged

    def _learn_voices(
        self,
        tick: CallFrames,
        ceps: dict[Role, np.ndarray],
        i: int,
        j: int,
        judged: dict[Role, np.ndarray],
        holds: dict[str, np.ndarray],
    ) -> None:
        """Teach each party's voice models from this tick's frames as heard (``tick`` unmasked):
        the owner model their voiced frames not judged another voice, at or over their median
        level less ``voice_match.owner_min_spreads`` spreads, while the other party does not
        hold the floor; the other-voice model their voiced frames quiet for them
        (``BaselineConfig.other_turn_floor_spreads``) while the other party holds the floor and
        they do not (:meth:`_holds_floor`; nothing is learnt with that rule off). Only once the
        party's baseline rests on their own voice (as :meth:`_quiet`)."""
        if not holds:
            return
        vm, c = self.config.voice_match, self.config.baseline
        for p in self.parties:
            f = tick.parties[p]
            if not f.voiced.any():
                continue
            b = self.baselines[p]
            snap = b.snapshot
            q = next(x for x in self.parties if x != p)
            level = f.voice_loudness_dbfs
            owner = (
                f.voiced
                & ~judged[p]
                & (level >= snap.loudness_dbfs - vm.owner_min_spreads * snap.loudness_spread_db)
                & ~holds[q]
            )
            if not (b.from_profile or snap.own_s >= 2.0 * c.prior_weight_s):
                if vm.owner_from_first_words:
                    self._learn(p, ceps, i, j, owner, np.zeros_like(owner))
                continue
            other = (
                f.voiced
                & holds[q]
                & ~holds[f"{p}:own"]
                & self._quiet(p, f, c.other_turn_floor_spreads)
            )
            self._learn(p, ceps, i, j, owner, other)

    def _learn(
        self,
        p: Role,
        ceps: dict[Role, np.ndarray],
        i: int,
        j: int,
        owner: np.ndarray,
        other: np.ndarray,
    ) -> None:
        """``VoiceMatcher.learn`` of the block's frames ``[i, j)``; with the block's cepstra
        deferred (``VoiceMatchOptions.defer_cepstra``), queued for the tick's commit."""
        if p in ceps:
            self._voice[p].learn(ceps[p][i:j], owner, other)
        elif owner.any() or other.any():  # what learn would add
            self._learn_due.append((p, len(self._ceps_due) - 1, i, j, owner, other))

    def _learn_deferred(self, *, keep_last: bool) -> dict[Role, np.ndarray]:
        """Before a commit: the deferred blocks' cepstra (only the blocks and parties that
        learn; :meth:`audio.voice_match.CepstrumStream.take_blocks`, the same bits as a take per
        block) and their learning, in the order it was asked. ``keep_last``: the block being
        consumed goes on past this tick, so its cepstra are computed for every party and
        returned (the models may be ready for the rest of it)."""
        assert self._cepstra is not None
        blocks, due = self._ceps_due, self._learn_due
        self._ceps_due, self._learn_due = [], []
        index = {p: k for k, p in enumerate(self.parties)}
        need: list[set[int]] = [set() for _ in blocks]
        for p, k, _, _, _, _ in due:
            need[k].add(index[p])
        if keep_last:
            need[-1] = set(index.values())
        outs = self._cepstra.take_blocks(blocks, [tuple(sorted(x)) for x in need])
        for p, k, i, j, owner, other in due:
            self._voice[p].learn(outs[k][index[p]][i:j], owner, other)
        if not keep_last:
            return {}
        return dict(zip(self.parties, outs[-1], strict=True))

    def _holds_floor(self, tick: CallFrames) -> dict[str, np.ndarray]:
        """Where each party holds the floor in this tick, reading the baselines as they stood
        before it (``BaselineConfig.other_turn_floor_spreads``); carried across ticks and pushes.

        ``holds[p]``: within ``InterruptionConfig.turn_gap_s`` (the pauses inside a turn) after
        a frame of ``p``'s near speech that is not quiet for them (``other_turn_floor_spreads``
        under their median level: babble in their microphone, quiet for them, is not them
        talking). ``holds[p + ":own"]``: the same after a frame at or over their median level
        (plus ``other_turn_own_mark_spreads`` of their loudness spreads),
        the stricter mark of ``p``'s own turn that keeps their own quiet frames learnt even
        while the other seems to talk (a neighbour's babble in the other's microphone that
        has dragged the other's baseline down to it; a babble peak over the floor of the
        party it is heard by is not that party's turn).
        """
        out: dict[str, np.ndarray] = {}
        c = self.config.baseline
        if c.other_turn_floor_spreads <= 0 or not c.learn_during_other_speech:
            return out
        if len(self.parties) < 2:
            return out
        hold = max(1, round(self.config.interruption.turn_gap_s / self.hop_s))
        for p in self.parties:
            f = tick.parties[p]
            n = len(f)
            g = tick.start + np.arange(n)
            near = near_voice(f, self.baselines[p].snapshot, self.config.interruption)
            none_near = not near.any()
            own_mark = -c.other_turn_own_mark_spreads
            for key, spreads in ((p, c.other_turn_floor_spreads), (f"{p}:own", own_mark)):
                if none_near:  # no such frame in this tick: what the lines below give
                    last_s = max(-1.0, self._last_talk.get(key, -math.inf))
                    if n:
                        self._last_talk[key] = last_s
                    out[key] = g - last_s < hold
                    continue
                talks = near & ~self._quiet(p, f, spreads)
                # Global index of the last such frame at or before each frame.
                last = np.maximum.accumulate(np.where(talks, g, -1).astype(np.float64))
                last = np.maximum(last, self._last_talk.get(key, -math.inf))
                if n:
                    self._last_talk[key] = float(last[-1])
                out[key] = g - last < hold
        return out

    def _quiet(self, p: Role, frames: PartyFrames, spreads: float) -> np.ndarray:
        """``p``'s frames whose voice level stands more than ``spreads`` of their loudness
        spreads under their baseline's median voiced level (as it stood before this tick),
        once the baseline rests on their own voice (twice ``prior_weight_s`` voiced, or a
        profile; before that none)."""
        c = self.config.baseline
        b = self.baselines[p]
        snap = b.snapshot
        if not (b.from_profile or snap.own_s >= 2.0 * c.prior_weight_s):
            return np.zeros(len(frames), dtype=bool)
        floor = snap.loudness_dbfs - spreads * snap.loudness_spread_db
        return np.asarray(frames.voice_loudness_dbfs < floor)

    def _rebase_open(self, p: Role) -> bool:
        """Whether ``p``'s baseline can still be rebased (``BaselineConfig.rebase_*``)."""
        c = self.config.baseline
        b = self.baselines[p]
        if b.from_profile or b.own_voiced_s >= c.rebase_max_own_voiced_s:
            self._early[p] = []
            return False
        return True

    def _rejudge(self, out: list[Event], *, now_s: float | None = None) -> list[Event]:
        """Yelling found late: each party whose baseline was rebased since the last look has
        their frames so far judged again against it (:func:`.detectors.rejudge_yelling`);
        ``out``: this push's updates not yet recorded."""
        late: list[Event] = []
        for p in self.parties:
            b = self.baselines[p]
            if b.rebased <= self._rebases_seen[p]:
                continue
            self._rebases_seen[p] = b.rebased
            if not self._early[p]:
                continue
            reported = [
                e for e in (*self.events, *out, *late) if e.kind == "yelling" and e.speaker == p
            ]
            late += rejudge_yelling(
                self.config.yelling,
                speaker=p,
                hop_s=self.hop_s,
                frames=PartyFrames.concat(self._early[p]),
                baseline=b.snapshot,
                time_of=self.time_of,
                reported=reported,
                now_s=self.time_s if now_s is None else now_s,
            )
        return late

    def _learns_unconfirmed(self, p: Role, frames: PartyFrames, flags: np.ndarray) -> bool:
        """While the baseline settles: whether ``p``'s flagged frames are learnt after all.

        Once ``BaselineConfig.settling_unconfirmed_flag_s`` of ``p``'s speech has been flagged
        and no yelling or tone event of theirs confirmed, the flagged voice is their own normal
        read against a baseline that learnt someone else first (a neighbour's babble before
        the agent's first word: the agent's voice reads loud and high, every frame is flagged,
        and nothing of theirs is ever learnt). A shout confirms within ``min_duration_s``; a
        party's first words flagged for longer without one are not a shout.
        """
        limit_s = self.config.baseline.settling_unconfirmed_flag_s
        if limit_s <= 0 or self._had_event[p]:
            return False
        self._settle_flagged[p] += int((flags & frames.speech).sum())
        return self._settle_flagged[p] * self.hop_s >= limit_s

    def _learns_past_prior(self, p: Role, frames: PartyFrames, flags: np.ndarray) -> bool:
        """While ``p``'s voiced level rests on the prior: whether their flagged frames are
        learnt, once ``BaselineConfig.prior_lock_flagged_s`` of their speech has been flagged
        (confirmed or not) at ``prior_lock_min_db_over_noise`` or more over the line's
        measured noise: a voice flagged that long against the generic prior on a clean line is
        read against the wrong gain (a hot line), not shouting all along."""
        c = self.config.baseline
        if c.prior_lock_flagged_s <= 0:
            return False
        # No noise measured: digital silence between words, the cleanest line there is.
        clean = (frames.noise_dbfs <= NO_NOISE_DBFS) | (
            frames.voice_loudness_dbfs >= frames.noise_dbfs + c.prior_lock_min_db_over_noise
        )
        self._prior_flagged[p] += int((flags & frames.speech & clean).sum())
        return self._prior_flagged[p] * self.hop_s >= c.prior_lock_flagged_s

    def _gain_step(
        self, p: Role, last: PartyFrames | None, end: int
    ) -> tuple[GainShift | None, float]:
        """The end of ``p``'s baseline tick (global frame ``end``): its frames (those kept in
        ``_gain_buf`` and ``last``) read for a step of the line's level (:mod:`.gain`); a step
        read moves the baseline. Returns the shift (None) and the dB the baseline moved."""
        parts = [*self._gain_buf[p], *([last] if last is not None else [])]
        self._gain_buf[p] = []
        if not parts:
            return None, 0.0
        frames = parts[0] if len(parts) == 1 else PartyFrames.concat(parts)
        b = self.baselines[p]
        now_s = self.time_of(end)
        shift = self._gain[p].push(frames, b.snapshot, own_level=not b.level_on_prior, at_s=now_s)
        moved_db = 0.0
        if shift is None and self.config.baseline.gain_pair_down_voiced_s > 0:
            shift = self._pair_down(p, b, now_s)
        if self._pair_up_on:
            self._pair_up.push(p, frames, b.snapshot)
            if shift is not None:
                self._pair_up.note_shift(p, shift, self.time_of)
            self._pair_up.update(p, now_s)
            self._pair_up.self_up(p, end - 1, self.time_of)
            if p == self.parties[-1]:
                self._pair_up.noise_pair(end - 1, self.time_of)
                self._pair_up.noise_pair_down(end - 1, self.time_of)
        if shift is not None:
            moved_db = b.shift_level(
                shift.shift_db,
                heard_from=end,
                since=shift.onset_index,
                level_dbfs=shift.level_dbfs,
            )
            self.gain_shifts[p].append(shift)
        return shift, moved_db

    def _pair_down(self, p: Role, b: SpeakerBaseline, now_s: float) -> GainShift | None:
        """``BaselineConfig.gain_pair_down_voiced_s``: the other line's last step down, if
        recent and not followed here yet, read on this line too (:meth:`GainShiftTracker.pair_down`)."""
        if len(self.parties) != 2:
            return None
        q = next(o for o in self.parties if o != p)
        other = self.gain_shifts[q][-1] if self.gain_shifts[q] else None
        if other is None or other.shift_db >= 0:
            return None
        if now_s - other.at_s > self.config.baseline.gain_pending_max_age_s:
            return None
        mine = self.gain_shifts[p]
        if mine and mine[-1].at_s >= other.at_s - self.config.baseline.gain_pending_max_age_s:
            return None  # this line has followed a step of its own since (or this one)
        return self._gain[p].pair_down(
            other, b.snapshot, own_level=not b.level_on_prior, at_s=now_s
        )

    def _restate_pending(self, p: Role, shift_db: float, onset: int | None) -> None:
        """A level step was read on ``p``'s line: the frames not learnt yet (the ticks waiting
        ``learn_delay_s`` and the tick being filled) were heard before the reading, some at
        the old level (``BaselineConfig.gain_shift_pending``): withhold them all (1), or move
        the levels of those heard before ``onset`` (all when None) by the move the learnt
        statistics made (2; the line's noise, pitch, tilt, HNR as heard)."""
        mode = self.config.baseline.gain_shift_pending

        def restate(
            item: tuple[PartyFrames, np.ndarray, np.ndarray],
        ) -> tuple[PartyFrames, np.ndarray, np.ndarray]:
            f, fl, ex = item
            if mode == 1:
                return f, fl, np.ones_like(ex)
            before = f.start + np.arange(len(f)) < (onset if onset is not None else 1 << 62)
            db = np.where(before, np.float32(shift_db), np.float32(0.0)).astype(np.float32)
            return (
                replace(
                    f,
                    loudness_dbfs=f.loudness_dbfs + db,
                    voice_loudness_dbfs=f.voice_loudness_dbfs + db,
                ),
                fl,
                ex,
            )

        self._pending[p] = [restate(x) for x in self._pending[p]]
        self._tick_buf[p] = [restate(x) for x in self._tick_buf[p]]

    def _flush_tick(self, p: Role, *, final: bool = False) -> None:
        """End of a baseline tick: learn the ticks old enough to have been judged.

        The baseline learns a frame only once the detectors have seen ``learn_delay_s`` after
        it, and not at all if a frame within that time after it was flagged: the evidence of
        a window that turns non-calm reaches back a whole window, and speech the detectors
        were still weighing must not become the speaker's normal first (on a quiet or coded
        line the tone window waits longer for enough voiced speech, and a baseline that has
        meanwhile learnt the raised voice's first second no longer sees it raised).
        """
        buf = self._tick_buf[p]
        if buf:
            self._pending[p].append(
                (
                    PartyFrames.concat([f for f, _, _ in buf]),
                    np.concatenate([fl for _, fl, _ in buf]),
                    np.concatenate([ex for _, _, ex in buf]),
                )
            )
            self._tick_buf[p] = []
        pending = self._pending[p]
        # While the level still rests on the prior (the speaker's first 2 x prior_weight_s of
        # speech), there is no own normal to protect and the cold-start rules judge against
        # what is learnt: the baseline learns at once, as the speaker starts talking.
        b = self.baselines[p]
        settling = not b.from_profile and b.own_speech_s < 2.0 * self.config.baseline.prior_weight_s
        d = 0 if settling else self._learn_delay
        while pending:
            oldest = pending[0][0]
            ahead = sum(len(f) for f, _, _ in pending[1:])
            if ahead < d and not final:
                break
            flags = np.concatenate([fl for _, fl, _ in pending])
            n = len(oldest)
            idx = np.arange(flags.size)
            # Index of the next flagged frame at or after each frame (flags.size: none).
            nxt = np.minimum.accumulate(np.where(flags, idx, flags.size)[::-1])[::-1]
            withheld = nxt[:n] - idx[:n] <= d
            # Both counters see every tick they apply to (no short-circuit).
            unconfirmed = settling and self._learns_unconfirmed(p, oldest, flags[:n])
            past_prior = b.level_on_prior and self._learns_past_prior(p, oldest, flags[:n])
            if unconfirmed or past_prior:
                withheld[:] = False
            self.baselines[p].update(oldest, withheld | pending[0][2])
            pending.pop(0)

    def _metrics(self, duration_s: float) -> dict[str, Any]:
        out: dict[str, Any] = {}
        echo = self._features.echo_paths()
        xo = self._features.crosstalk_options
        for i, p in enumerate(self.parties):
            m = self.metrics[p].to_dict(self.hop_s)
            m["baseline"] = self.baselines[p].snapshot.to_dict()
            m["echo"] = _echo_dict(echo[i], self.parties, xo)
            m["level_shifts"] = [g.to_dict() for g in self.gain_shifts[p]]
            if self.config.baseline.gain_pending_voiced_s > 0:
                m["provisional_level_shifts"] = list(self.provisional_shifts[p])
            if self._pair_up_on:
                m["pair_up_follows"] = list(self._pair_up.follows[p])
            if self._voice:
                m["other_voice_s"] = round(self._other_voice_frames[p] * self.hop_s, 2)
            evs = [e for e in self.events if e.speaker == p]
            m["yelling_s"] = round(sum(e.duration_s or 0.0 for e in evs if e.kind == "yelling"), 2)
            m["interruptions"] = sum(1 for e in evs if e.kind == "interruption")
            if p == "agent":
                m["agent_tone_s"] = round(
                    sum(e.duration_s or 0.0 for e in evs if e.kind == "agent_tone"), 2
                )
            out[p] = m
        out["overlap_s"] = (
            round(self._interrupt.overlap_frames * self.hop_s, 2)
            if self._interrupt is not None
            else None
        )
        out["dead_air_s"] = round(self._dead_air.dead_air_frames * self.hop_s, 2)
        out["duration_s"] = round(duration_s, 2)
        return out


def _echo_dict(
    path: EchoPathState | None, parties: Sequence[str], options: CrosstalkOptions
) -> dict[str, Any] | None:
    """A party's echo path for the metrics: whose voice its channel carries, how late and how
    far down, and the thresholds that decided it (None: no echo found)."""
    if path is None:
        return None
    return {
        "from": parties[path.source_channel],
        "delay_ms": round(path.delay_s * 1000.0, 1),
        "gain_db": path.gain_db,
        "correlation": path.correlation,
        "in_force_s": path.in_force_s,
        "thresholds": {
            "echo_min_correlation": options.echo_min_correlation,
            "echo_margin_db": options.echo_margin_db,
            "echo_max_delay_ms": round(options.echo_max_delay_frames * options.frame_hop_s * 1e3),
        },
    }


def _either(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    """Frames flagged by either detector."""
    if a is None or b is None:
        return a if b is None else b
    return a | b


def _with_band_hnr(
    levels: dict[str, np.ndarray], band_hnr_db: np.ndarray, share: float
) -> dict[str, np.ndarray]:
    """``LineNoise.compensate``'s per-frame values with the voice's HNR read ``share`` of the
    way from the whole-band one (YIN's, on the 0-4 kHz pitch signal) to the telephone-band one
    (``ChannelFrames.band_hnr_db``): see ``AgentToneConfig.harshness_band_hnr_share``."""
    if share <= 0:
        return levels
    hnr = levels["voice_hnr_db"].astype(np.float64)
    mixed = (1.0 - share) * hnr + share * np.asarray(band_hnr_db, np.float64)
    return {**levels, "voice_hnr_db": mixed.astype(np.float32)}
