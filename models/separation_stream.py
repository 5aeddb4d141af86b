"""Live separation of a mono call into its two parties (issue 20, the streaming form).

A softphone that can only send the mix of both parties opts in with ``"separate": true`` in its
``start`` message. The mono stream then goes through :class:`StreamSeparator` before the call's
analysis, which sees a two-channel call exactly as from a two-channel source: channel 0 the
agent's speech, channel 1 the customer's (the other party turned down by
``masking_range_db``, pauses kept in both, as :func:`models.diarization.split_channels` does for a
recorded call).

How it decides, with the recorded-call judgement reused rather than re-invented:

- per-frame speech, pitch and loudness from the same front end (:class:`audio.features.FeatureStream`);
- **refits**: once ``warmup_speech_s`` of speech has arrived, and every ``refit_every_s`` after,
  the last ``history_s`` of the call is diarized by :func:`models.diarization.diarize_frames`
  (clustering and resegmentation, as for a recorded call), the new labels are matched to the
  ones already given (so speaker 0 stays the call's first speaker), and one Gaussian per
  speaker is fitted on their frames' MFCCs;
- **between refits**: each new frame's log-likelihood ratio under the two Gaussians, decoded by
  the same two-state Viterbi with its switch penalty, anchored at the last decided frame; a
  frame is decided ``delay_s`` after it arrives (the lookahead that lets the path settle).

**The delay, stated**: audio reaches the analysis ``delay_s`` (default 2 s) plus the front end's
own ~0.2 s after it arrives, so alerts come that much later than on a two-channel call; at the
start of a call the audio is held until ``warmup_speech_s`` of speech has been heard (at most
``max_hold_s``), then analysed at once. A call that never gets that much speech is analysed as
its first speaker's. The roles: ``agent_speaker="auto"`` (the default) takes the agent's saved
voice profile when it tells the two voices apart at the first fit (as
:func:`models.diarization.assign_roles` does for a recording), else the first speaker (agents
answer); ``"first"``/``"second"`` decide outright. Words cannot decide in time on a live call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from calltone.audio.errors import ParameterError
from calltone.audio.features import FeatureStream, concat_blocks
from calltone.audio.speakers import speaker_frames
from calltone.models.diarization import (
    AgentSpeakerMode,
    DiarizationConfig,
    _viterbi2,
    diarize_frames,
    role_from_profile,
)


@dataclass(frozen=True)
class StreamSeparationConfig:
    """Settings of :class:`StreamSeparator` (units in the names).

    Attributes
    ----------
    diarization : DiarizationConfig
        The recorded-call settings used at every refit (features, switch penalty, masking).
        Overlap detection (both passes) is off by default here: the live separator gives every
        frame one speaker, so a refit's overlap would only leave its frames out of the speaker
        models; the overlap Gaussian marks almost nothing on real calls and costs most of a
        refit (docs/diarization.md).
    delay_s : float
        How long after it arrives a frame's speaker is decided (lookahead for the Viterbi path).
    step_s : float
        Audio is decided and released in steps of this much (the separator's own batching).
    warmup_speech_s : float
        Speech needed before the first speaker models.
    max_hold_s : float
        Audio held at most while waiting for that speech; then released as the first speaker's.
    refit_every_s : float
        Call time between refits of the speaker models.
    history_s : float
        Call time a refit looks back over (bounds its memory and CPU).
    agent_speaker : {"auto", "first", "second"}
        Which speaker is the agent (``auto``: the agent's voice profile, else the first).
    """

    diarization: DiarizationConfig = field(
        default_factory=lambda: DiarizationConfig(detect_overlap=False, newcomer_overlap=False)
    )
    delay_s: float = 2.0
    step_s: float = 0.4
    warmup_speech_s: float = 8.0
    max_hold_s: float = 30.0
    refit_every_s: float = 15.0
    history_s: float = 90.0
    agent_speaker: AgentSpeakerMode = "auto"

    def __post_init__(self) -> None:
        for name in ("delay_s", "step_s", "warmup_speech_s", "refit_every_s", "history_s"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise ParameterError(f"live separation: {name} = {value!r}; pass a positive value")
        if self.max_hold_s < self.warmup_speech_s:
            raise ParameterError(
                f"live separation: max_hold_s = {self.max_hold_s!r} is under warmup_speech_s = "
                f"{self.warmup_speech_s!r}; hold at least as long as the warm-up needs"
            )
        if self.history_s < 2 * self.refit_every_s:
            raise ParameterError(
                f"live separation: history_s = {self.history_s!r} must be at least twice "
                f"refit_every_s = {self.refit_every_s!r} (a refit must see the labels it keeps)"
            )
        if self.agent_speaker not in ("auto", "first", "second"):
            raise ParameterError(
                f"live separation: agent_speaker = {self.agent_speaker!r}; pass 'auto', 'first' "
                "or 'second'"
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "delay_s": self.delay_s,
            "warmup_speech_s": self.warmup_speech_s,
            "max_hold_s": self.max_hold_s,
            "refit_every_s": self.refit_every_s,
            "history_s": self.history_s,
            "agent_speaker": self.agent_speaker,
        }


@dataclass
class _SpeakerModels:
    """Two full-covariance Gaussians over call-normalised MFCCs, from the last refit."""

    cep_mean: np.ndarray
    cep_scale: np.ndarray
    means: list[np.ndarray]
    inv_covs: list[np.ndarray]
    log_norms: list[float]

    def llr(self, mfcc: np.ndarray) -> np.ndarray:
        """log p(frame | speaker 0) - log p(frame | speaker 1), shape ``(n,)``."""
        out = []
        for mu, inv, norm in zip(self.means, self.inv_covs, self.log_norms, strict=True):
            d = mfcc - mu
            out.append(norm - 0.5 * np.einsum("ij,jk,ik->i", d, inv, d))
        return np.asarray(out[0] - out[1])


def _fit_models(
    mfcc: np.ndarray, labels: np.ndarray, cep_mean: np.ndarray, cep_scale: np.ndarray
) -> _SpeakerModels | None:
    means, invs, norms = [], [], []
    for k in (0, 1):
        data = mfcc[labels == k]
        if data.shape[0] < 2 * mfcc.shape[1]:
            return None
        mu = data.mean(axis=0)
        cov = np.cov(data, rowvar=False) + 1e-3 * np.eye(data.shape[1])
        _sign, logdet = np.linalg.slogdet(cov)
        means.append(mu)
        invs.append(np.linalg.inv(cov))
        norms.append(-0.5 * (logdet + data.shape[1] * np.log(2 * np.pi)))
    return _SpeakerModels(cep_mean, cep_scale, means, invs, norms)


class _Samples:
    """An append-only sample buffer that forgets its oldest part (amortised: no copy of the
    whole history per push). Indices are absolute sample numbers."""

    def __init__(self) -> None:
        self._data = np.zeros(1 << 16, np.float32)
        self._first = 0  # absolute index of _data[_lo]
        self._lo = 0
        self._hi = 0

    def append(self, x: np.ndarray) -> None:
        if self._hi + x.size > self._data.size:
            live = self._data[self._lo : self._hi]
            size = self._data.size
            while live.size + x.size > size // 2:
                size *= 2
            data = np.zeros(size, np.float32)
            data[: live.size] = live
            self._data, self._lo, self._hi = data, 0, live.size
        self._data[self._hi : self._hi + x.size] = x
        self._hi += x.size

    def get(self, a: int, b: int) -> np.ndarray:
        """Samples ``[a, b)``; zeros for any part before what is held."""
        if b <= a:
            return np.zeros(0, np.float32)
        start = a - self._first + self._lo
        if start >= self._lo:
            return self._data[start : start + (b - a)].copy()
        missing = self._lo - start
        return np.concatenate(
            [np.zeros(missing, np.float32), self._data[self._lo : self._lo + (b - a) - missing]]
        )

    def forget_before(self, a: int) -> None:
        drop = a - self._first
        if drop > 0:
            drop = min(drop, self._hi - self._lo)
            self._lo += drop
            self._first += drop


class StreamSeparator:
    """Mono samples in, a two-party ``(2, n)`` call out, ``delay_s`` later (see the module).

    ``push`` takes mono float32 samples at the front end's rate (``(n,)`` or ``(1, n)``) in
    chunks of any size and returns the two-channel audio decided so far (possibly none);
    ``finish`` decides and returns the rest. Row 0 is the agent, row 1 the customer.
    """

    def __init__(
        self, config: StreamSeparationConfig | None = None, *, agent_pitch_hz: float | None = None
    ) -> None:
        self.config = config or StreamSeparationConfig()
        self.agent_pitch_hz = agent_pitch_hz
        d = self.config.diarization
        self._f = d.features
        self._sr = self._f.sample_rate_hz
        self._hop = round(self._f.hop_s * self._sr)
        self._front = FeatureStream(1)
        self._low = 10 ** (-d.masking_range_db / 20)
        self._penalty = d.switch_penalty_nats
        self._scale = d.llr_scale
        self._hangover = max(0, round(self._f.gate_hangover_s / self._f.hop_s))
        self._ramp = max(1, round(d.mask_ramp_s * self._sr))
        self._bridge = max(1, round(d.bridge_gap_s / self._f.hop_s))
        self._agent = 1 if self.config.agent_speaker == "second" else 0
        self.role_decided_by = (
            f"option_{self.config.agent_speaker}"
            if self.config.agent_speaker != "auto"
            else "first_speaker"
        )
        self.role_evidence: list[str] = []
        # samples from `_x0` on (the history the next refit and the undecided frames need)
        self._buf = _Samples()
        self._n_in = 0
        # per-frame front-end values from frame `_f0` on
        self._f0_frame = 0
        self._speech = np.zeros(0, bool)
        self._pitch = np.zeros(0, np.float64)
        self._loud = np.zeros(0, np.float64)
        self._labels = np.zeros(0, np.int8)  # decided frames: -1 pause, 0/1 speaker
        self._decided = 0  # frames decided (absolute index)
        self._released = 0  # samples released (absolute index)
        self._gain = np.ones(2, np.float32)  # mask gains at the last released sample
        self._models: _SpeakerModels | None = None
        self._last_refit_frame = 0
        self.refits = 0
        self.held_as_first_s = 0.0
        self._finished = False

    # -- public ----------------------------------------------------------------------------

    @property
    def delay_s(self) -> float:
        """Audio received but not yet released, now (seconds)."""
        return (self._n_in - self._released) / self._sr

    def summary(self) -> dict[str, Any]:
        return {
            "mode": "separated_live",
            "agent_speaker": self.config.agent_speaker,
            "role_decided_by": self.role_decided_by,
            "role_evidence": self.role_evidence,
            "refits": self.refits,
            "released_as_first_speaker_s": round(self.held_as_first_s, 2),
            "config": self.config.to_dict(),
        }

    def push(self, samples: np.ndarray) -> np.ndarray:
        if self._finished:
            raise ParameterError("live separation: push after finish(); start a new separator")
        x = np.asarray(samples, dtype=np.float32).reshape(-1)
        self._buf.append(x)
        self._n_in += x.size
        self._take_frames(self._front.push(x[None, :]))
        return self._advance(final=False)

    def finish(self) -> np.ndarray:
        if self._finished:
            return np.zeros((2, 0), np.float32)
        self._finished = True
        self._take_frames(self._front.finish())
        return self._advance(final=True)

    # -- internals ---------------------------------------------------------------------------

    def _take_frames(self, block: Any) -> None:
        if not len(block):
            return
        ch = concat_blocks([block]).channels[0]
        self._speech = np.concatenate([self._speech, np.asarray(ch.speech, bool)])
        self._pitch = np.concatenate(
            [self._pitch, np.nan_to_num(np.asarray(ch.f0_hz, np.float64), nan=0.0)]
        )
        self._loud = np.concatenate([self._loud, np.asarray(ch.loudness_dbfs, np.float64)])

    @property
    def _n_frames(self) -> int:
        """Frames with front-end values (absolute)."""
        return self._f0_frame + self._speech.size

    def _gated(self, a: int, b: int) -> np.ndarray:
        """Speech of frames ``[a, b)`` (absolute) limited as :func:`audio.speakers.gate_speech`
        limits a recording's (over the history's noise floor, or near its loud speech on a
        noisy line), with its hangover."""
        loud = np.nan_to_num(self._loud, nan=-120.0)
        floor_db = float(np.percentile(loud, 10)) if loud.size else -120.0
        bar_db = floor_db + self._f.gate_db_over_floor
        under = self._f.gate_db_under_speech  # a noisy line's bar, as audio.speakers.gate_speech
        if under is not None and self._speech.any():
            bar_db = min(bar_db, float(np.percentile(loud[self._speech], 90)) - under)
        lo, hi = max(self._f0_frame, a - self._hangover), min(self._n_frames, b + self._hangover)
        s = slice(lo - self._f0_frame, hi - self._f0_frame)
        hot = self._speech[s] & (loud[s] > bar_db)
        k = 2 * self._hangover + 1
        full = np.convolve(hot.astype(np.float64), np.ones(k), mode="full")
        near = full[self._hangover : self._hangover + hot.size] > 0
        out = self._speech[s] & near
        return np.asarray(out[a - lo : a - lo + (b - a)])

    def _frames_of(self, a: int, b: int) -> tuple[Any, int, int, np.ndarray]:
        """:class:`audio.speakers.SpeakerFrames` of frames ``[a, b)`` (absolute) with a few
        frames of context, the index range of ``[a, b)`` in them, and the gated speech of
        ``[a, b)``; the samples must still be held."""
        pad = 3  # frames of context each side: the STFT's centred window needs 1.6
        lo, hi = max(self._f0_frame, a - pad), min(self._n_frames, b + pad)
        x = self._buf.get(lo * self._hop, hi * self._hop)
        sl = slice(lo - self._f0_frame, hi - self._f0_frame)
        gated = self._gated(lo, hi)
        fr = speaker_frames(x, gated, self._pitch[sl], self._loud[sl], self._f)
        i0, i1 = a - lo, a - lo + (b - a)
        return fr, i0, i1, gated[i0:i1]

    def _refit(self, upto: int) -> None:
        """Diarize the history up to frame ``upto`` and refit the two speaker models."""
        cfg = self.config
        first = max(self._f0_frame, upto - round(cfg.history_s / self._f.hop_s))
        frames, i0, i1, _ = self._frames_of(first, upto)
        d = diarize_frames(frames, cfg.diarization)
        self._last_refit_frame = upto
        if d.n_speakers < 2:
            return
        labels = np.where(frames.speech, d.frame_speaker, -1)[i0:i1].astype(np.int8)
        # keep speaker identities: compare with the labels already given in this stretch
        swapped = False
        if self._decided > first:
            old = self._labels[first - self._f0_frame : self._decided - self._f0_frame]
            new = labels[: old.size]
            both = (old >= 0) & (new >= 0) & (new < 2)
            if both.any() and np.mean(old[both] == new[both]) < 0.5:
                labels = np.where(labels >= 0, 1 - labels, labels).astype(np.int8)
                swapped = True
        models = _fit_models(frames.mfcc[i0:i1], labels, frames.cep_mean, frames.cep_scale)
        if models is None:
            return
        if self._models is None and cfg.agent_speaker == "auto":
            # the role is decided once, at the first fit, before any audio is analysed
            by_profile = role_from_profile(d, self.agent_pitch_hz)
            if by_profile is not None:
                self._agent = 1 - by_profile.agent_speaker if swapped else by_profile.agent_speaker
                self.role_decided_by = by_profile.decided_by
                self.role_evidence = list(by_profile.evidence)
        self._models = models
        self.refits += 1

    def _decide(self, upto: int) -> None:
        """Give frames ``[_decided, upto)`` their speaker (or -1 for a pause)."""
        a = self._decided
        if upto <= a:
            return
        if self._models is None:
            lab = np.where(self._gated(a, upto), 0, -1).astype(np.int8)
            self.held_as_first_s += float(np.sum(lab == 0)) * self._f.hop_s
        else:
            # Viterbi over the undecided frames and the lookahead, anchored at the last speaker
            b = self._n_frames
            fr, i0, i1, sp = self._frames_of(a, b)
            m = self._models
            raw = fr.mfcc * fr.cep_scale + fr.cep_mean
            mfcc = (raw - m.cep_mean) / m.cep_scale
            # judged on the frames clear of the history's noise floor (speaker_frames gates
            # again against the short window's own floor, which is speech: not used here)
            llr = np.where(sp, self._scale * m.llr(mfcc[i0:i1]), 0.0)
            spoken = np.flatnonzero(self._labels >= 0)
            last = int(self._labels[spoken[-1]]) if spoken.size else 0
            anchor = 1e6 if last == 0 else -1e6  # the path starts with the last speaker
            path = _viterbi2(np.concatenate([[anchor], llr]), self._penalty)[1:]
            # The path's speaker holds for the judged speech and for pauses shorter than
            # bridge_gap_s inside a turn; the middle of a longer pause is nobody's.
            talk = sp
            r = self._bridge // 2
            full = np.convolve(talk.astype(np.float64), np.ones(2 * r + 1), mode="full")
            near = full[r : r + talk.size] > 0
            lab = np.where(near, path, -1)[: upto - a].astype(np.int8)
        self._labels = np.concatenate([self._labels, lab])
        self._decided = upto

    def _advance(self, *, final: bool) -> np.ndarray:
        cfg = self.config
        hop_s = self._f.hop_s
        n = self._n_frames
        if self._models is None and not final:
            heard_s = float(np.sum(self._gated(self._f0_frame, n))) * hop_s if n else 0.0
            if heard_s >= cfg.warmup_speech_s:
                self._refit(n)
            elif (self._n_in - self._released) / self._sr < cfg.max_hold_s:
                return np.zeros((2, 0), np.float32)  # keep holding
        elif self._models is not None and (n - self._last_refit_frame) * hop_s >= cfg.refit_every_s:
            self._refit(n)
        if final:
            upto = n
        else:
            upto = n - round(cfg.delay_s / hop_s)
            step = max(1, round(cfg.step_s / hop_s))
            if upto - self._decided < step:
                return np.zeros((2, 0), np.float32)
        self._decide(upto)
        out = self._release(final=final)
        self._forget()
        return out

    def _release(self, *, final: bool) -> np.ndarray:
        """The masked two-channel audio of the decided frames not yet released."""
        end = self._n_in if final else self._decided * self._hop
        start = self._released
        if end <= start:
            return np.zeros((2, 0), np.float32)
        x = self._buf.get(start, end)
        frame = np.minimum(
            (np.arange(start, end) // self._hop) - self._f0_frame, self._labels.size - 1
        )
        lab = self._labels[frame] if self._labels.size else np.full(end - start, -1, np.int8)
        speaker_row = np.where(lab == self._agent, 0, 1)
        target = np.ones((2, lab.size), np.float32)
        spoken = lab >= 0
        other = 1 - speaker_row
        target[other[spoken], np.flatnonzero(spoken)] = self._low
        gains = self._ramped(target)
        self._released = end
        return (gains * x[None, :]).astype(np.float32)

    def _ramped(self, target: np.ndarray) -> np.ndarray:
        """Linear ramps of ``mask_ramp_s`` at every change of the target gains, continuous
        across releases."""
        out = np.empty_like(target)
        for row in range(2):
            t = np.concatenate([[self._gain[row]], target[row]])
            step = 1.0 / self._ramp
            g = np.empty(t.size, np.float32)
            g[0] = t[0]
            # a first-order slew limiter: at most 1/ramp of full scale per sample
            cur = float(t[0])
            changes = np.flatnonzero(np.diff(t) != 0) + 1
            if changes.size == 0:
                g[:] = t
            else:
                pos = 0
                for c in [*changes.tolist(), t.size]:
                    seg = t[pos:c]
                    want = float(seg[0]) if seg.size else cur
                    k = np.arange(1, seg.size + 1, dtype=np.float32)
                    g[pos:c] = (
                        np.minimum(cur + k * step, want)
                        if want >= cur
                        else np.maximum(cur - k * step, want)
                    )
                    cur = float(g[c - 1]) if c > pos else cur
                    pos = c
            out[row] = g[1:]
            self._gain[row] = g[-1]
        return out

    def _forget(self) -> None:
        """Drop samples and frames older than the history a refit needs."""
        keep_frames = round(self.config.history_s / self._f.hop_s) + 8
        drop = min(self._decided, self._n_frames - keep_frames) - self._f0_frame
        if drop > 0:
            self._speech = self._speech[drop:]
            self._pitch = self._pitch[drop:]
            self._loud = self._loud[drop:]
            self._labels = self._labels[drop:]
            self._f0_frame += drop
        first_sample = min(self._released, (self._f0_frame - 4) * self._hop)
        self._buf.forget_before(first_sample)
