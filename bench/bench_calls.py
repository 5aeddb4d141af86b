"""Issue 13 measurement harness: tone detectors and front end on telephone audio.

Three parts, each reported per telephone channel condition (``bench/telephone.py``):

1. **RAVDESS calls with many clips** (``calls``). For every actor 01-12 and both roles (the
   analysed actor as the agent on channel 0, or as the customer on channel 1) one two-party call:
   a baseline of the actor's own neutral/calm clips (~10 s), then the actor's remaining calm and
   neutral, angry (normal and strong), happy-strong and fearful-strong clips in a seeded shuffle
   that differs per actor and role. After every clip the *other* party (another actor, calm and
   neutral clips at their recorded level) answers on the other channel; the analysed party's
   channel then carries only a low noise floor. Each clip is trimmed to its speech (RAVDESS clips
   start with ~1 s of silence). The whole two-channel call goes through the channel condition at
   once (each party's line separately, so level, noise and AGC act on the call, not per clip) and
   is analysed with :func:`models.recorded.analysis.run_session`. A clip is *flagged* when an event of the
   kind, by the analysed party, overlaps the clip's span. Baseline clips are excluded from the
   rates and reported on their own; a calm/neutral clip right after an angry one is also reported
   on its own (the issue: 25 % of those were flagged).
2. **Real calm calls** (``calm``): ``lca_calls`` (the two-party Auto_Repairs call, agent = channel
   0, customer = channel 1; ``agent.flac`` as a mono agent), ``phone_call_2spk`` (both sides
   summed in one channel, analysed as a mono *agent*), and the six AMI close-talk pairings (agent
   one source, customer another). Telephone recordings run as recorded; AMI runs as recorded
   (wideband) and through each narrowband condition. Every yelling / agent_tone event and every
   de_escalate / calm_down / escalation_flag / take_a_break alert is a false alarm. Rates are per
   hour of *calm talk* (reference talk time of the analysed parties, fixed per source, see
   :func:`reference_talk_s`) and per hour of call audio.
3. **Front end** (``frontend``): :func:`audio.features.extract_features` on each narrowband copy
   against the clean original, frame by frame on the 10 ms grid: talk-time ratio (speech frames
   nb / clean), gross pitch error (frames voiced in both whose f0 is > 20 % off the clean f0, as a
   share of frames voiced in both), voicing recall, and syllable-rate ratio (nuclei per second of
   speech the detectors hear, ``ChannelFrames.heard``, nb / clean); RAVDESS actors (male and female, each actor's clips joined into one
   signal) and the AMI sources 0, 1, 3.

Decoded clips, built calls and channel copies are cached in memory for one run. RAVDESS is
CC BY-NC-SA 4.0: evaluation only, never copied into the repo.

Noise: the conditions ``nb_gsm_noise20`` and ``nb_amr_noise15_-20db`` set their noise re the
louder half of each line's frames (on these calls: the shouting); ``nb_gsm_noise20_calm`` and
``nb_amr_noise15_calm_-20db`` re the party's calm voice, the ITU-T P.56 active level of the
analysed party's baseline clips (the other line: of all its calm answers; front end: of the
actor's neutral/calm-normal clips; AMI and calm calls: of the whole source). ``--noisy`` runs
the four beside wideband. See ``bench/telephone.py``.

Run: ``python bench/bench_calls.py [--conditions wideband,nb_ulaw,...] [--quick] [--noisy]
[--actors 1,2,3] [--parts calls,calm,frontend] [--json out.json]``. Needs ``../shared/data``
(or ``CALLTONE_SHARED_DATA``). From Python::

    sys.path.insert(0, "bench"); import bench_calls
    out = bench_calls.evaluate(conditions=["wideband", "nb_ulaw"], config=my_config)
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import math
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
for _p in (ROOT, ROOT / "bench"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from _common import config_overrides  # noqa: E402
from _common import shared_data_dir as shared_data  # noqa: E402
from telephone import (  # noqa: E402
    ALL_CONDITIONS,
    CONDITIONS,
    HELDOUT_CONDITIONS,
    NARROWBAND_RATE_HZ,
    NOISY_CONDITIONS,
    QUICK_CONDITIONS,
    TelephoneAudio,
    active_level_dbfs,
    simulate_channels,
    through,
    to_16k,
)

from calltone.audio.channels import ChannelRoles  # noqa: E402
from calltone.audio.decode import DecodedAudio, load_audio  # noqa: E402
from calltone.models.recorded.analysis import run_session  # noqa: E402
from calltone.models.tone.config import AnalysisConfig  # noqa: E402

SR_HZ = 16_000
DEFAULT_SEED = 13
ACTORS = tuple(f"{a:02d}" for a in range(1, 13))
#: Alerts that are false alarms on a calm call.
CALM_FALSE_ALERTS = ("de_escalate", "calm_down", "escalation_flag", "take_a_break")
#: Tone events that are false alarms on a calm call.
TONE_EVENTS = ("yelling", "agent_tone")
AMI_SOURCES = ("source0.wav", "source1.wav", "source3.wav")
#: AMI close-talk source -> RTTM speaker (data README: mapping inferred from energy).
AMI_SPEAKERS = {"source0.wav": "MEO015", "source1.wav": "FEE013", "source3.wav": "FEE016"}

#: Issue 13 targets (``min`` or ``max`` bound) checked in the summary.
TARGETS: dict[str, tuple[str, float]] = {
    "yelling_angry_strong": ("min", 0.95),
    "yelling_calm": ("max", 0.02),
    "agent_tone_angry": ("min", 0.85),
    "agent_tone_calm": ("max", 0.05),
}


# --------------------------------------------------------------------------------------------
# Call building (pure numpy; tested on synthetic clips in tests/system/test_bench_calls.py)


@dataclass(frozen=True)
class Clip:
    """One utterance to place in a call: a name, its class label and 16 kHz mono samples."""

    name: str
    label: str
    samples: np.ndarray


@dataclass(frozen=True)
class ClipSpan:
    """Where one clip of the analysed party lies in a built call.

    Attributes
    ----------
    name, label : str
        The clip's name and class label (e.g. ``"angry-strong"``).
    start_s, end_s : float
        Its span in the call, seconds.
    baseline : bool
        Part of the opening baseline (excluded from the flag rates).
    prev_label : str or None
        Label of the analysed party's previous clip (None for the first).
    """

    name: str
    label: str
    start_s: float
    end_s: float
    baseline: bool
    prev_label: str | None


@dataclass
class BuiltCall:
    """A two-channel call with its ground truth.

    Attributes
    ----------
    samples : np.ndarray, shape (2, n)
        Channel 0 is the agent, channel 1 the customer (16 kHz float32, before the channel).
    analysed_channel : int
        The channel of the party whose clips are in ``spans``.
    spans : list of ClipSpan
        The analysed party's clips.
    other_spans : list of (float, float)
        The other party's answers, seconds.
    """

    samples: np.ndarray
    analysed_channel: int
    spans: list[ClipSpan]
    other_spans: list[tuple[float, float]]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        return self.samples.shape[1] / SR_HZ


def trim_to_speech(
    x: np.ndarray, *, below_peak_db: float = 35.0, pad_s: float = 0.05, sr_hz: int = SR_HZ
) -> np.ndarray:
    """Cut leading and trailing silence: keep from the first to the last 10 ms frame whose
    power is within ``below_peak_db`` of the clip's loudest frame, plus ``pad_s`` either side."""
    hop = sr_hz // 100
    k = x.size // hop
    if k < 2:
        return x
    p = np.mean(x[: k * hop].astype(np.float64).reshape(k, hop) ** 2, axis=1)
    db = 10 * np.log10(p + 1e-12)
    on = np.flatnonzero(db > db.max() - below_peak_db)
    pad = int(pad_s * sr_hz)
    a = max(0, on[0] * hop - pad)
    b = min(x.size, (on[-1] + 1) * hop + pad)
    return x[a:b]


def build_call(
    baseline: Sequence[Clip],
    test: Sequence[Clip],
    answers: Sequence[np.ndarray],
    *,
    analysed_channel: int,
    rng: np.random.Generator,
    pause_s: tuple[float, float] = (0.3, 0.7),
    lead_in_s: float = 0.5,
    tail_s: float = 0.8,
    noise_floor_dbfs: float | None = -70.0,
) -> BuiltCall:
    """Lay out a two-party call: each analysed clip, a pause, the other party's answer, a pause.

    The analysed party says ``baseline`` then ``test`` clips on ``analysed_channel``; after every
    clip but the last the other party says the next of ``answers`` (cycled) on the other channel.
    Pauses are drawn uniformly from ``pause_s``. ``noise_floor_dbfs`` adds a seeded white noise
    floor at that RMS level to both channels (None: digital silence).
    """
    if analysed_channel not in (0, 1):
        raise ValueError(f"analysed_channel must be 0 or 1, not {analysed_channel}")
    if not answers:
        raise ValueError("the other party needs at least one answer clip")
    clips = [(c, True) for c in baseline] + [(c, False) for c in test]
    pauses = rng.uniform(pause_s[0], pause_s[1], size=2 * len(clips))
    layout: list[tuple[int, int, np.ndarray]] = []  # (channel, start sample, samples)
    spans: list[ClipSpan] = []
    other: list[tuple[float, float]] = []
    t = round(lead_in_s * SR_HZ)
    prev: str | None = None
    for i, (clip, is_base) in enumerate(clips):
        x = np.asarray(clip.samples, np.float32).reshape(-1)
        layout.append((analysed_channel, t, x))
        spans.append(
            ClipSpan(clip.name, clip.label, t / SR_HZ, (t + x.size) / SR_HZ, is_base, prev)
        )
        prev = clip.label
        t += x.size + round(pauses[2 * i] * SR_HZ)
        if i == len(clips) - 1:
            break
        a = np.asarray(answers[i % len(answers)], np.float32).reshape(-1)
        layout.append((1 - analysed_channel, t, a))
        other.append((t / SR_HZ, (t + a.size) / SR_HZ))
        t += a.size + round(pauses[2 * i + 1] * SR_HZ)
    n = t + round(tail_s * SR_HZ)
    out = np.zeros((2, n), np.float32)
    if noise_floor_dbfs is not None:
        out += (rng.standard_normal((2, n)) * 10 ** (noise_floor_dbfs / 20)).astype(np.float32)
    for ch, start, x in layout:
        out[ch, start : start + x.size] += x
    return BuiltCall(out, analysed_channel, spans, other)


def _end(e: Any) -> float:
    return math.inf if e.end_s is None else float(e.end_s)


def overlaps(events: Iterable[Any], kind: str, speaker: str, start_s: float, end_s: float) -> bool:
    """Whether an event of ``kind`` by ``speaker`` overlaps ``[start_s, end_s)`` (open events
    run to the end of the call)."""
    return any(
        e.kind == kind and e.speaker == speaker and _end(e) > start_s and e.start_s < end_s
        for e in events
    )


def flag_clips(
    events: Sequence[Any], spans: Sequence[ClipSpan], speaker: str, kinds: Sequence[str]
) -> list[dict[str, bool]]:
    """For each span, which of ``kinds`` flag it (an event by ``speaker`` overlaps it)."""
    return [{k: overlaps(events, k, speaker, s.start_s, s.end_s) for k in kinds} for s in spans]


def event_spill(
    events: Sequence[Any],
    spans: Sequence[ClipSpan],
    other_spans: Sequence[tuple[float, float]],
    speaker: str,
    kinds: Sequence[str] = TONE_EVENTS,
    *,
    call_end_s: float = math.inf,
) -> list[dict[str, Any]]:
    """How far each tone event of ``speaker`` runs past the non-calm speech it is about.

    For each event (of ``kinds``, by ``speaker``, outside the baseline) that overlaps a
    non-calm test clip: ``overrun_s`` = event end minus the end of the last non-calm clip it
    overlaps (negative: it ends inside the clip); ``into_other_turn`` = it overlaps one of the
    other party's answers; ``into_calm_clip`` = it overlaps a calm/neutral clip. Events
    overlapping no non-calm clip (false alarms) get ``overrun_s`` None.
    """
    out = []
    for e in events:
        if e.kind not in kinds or e.speaker != speaker:
            continue
        end = min(_end(e), call_end_s)
        hit = [s for s in spans if s.end_s > e.start_s and s.start_s < end]
        loud = [s for s in hit if not s.baseline and not _is_calm(s.label)]
        out.append(
            {
                "kind": e.kind,
                "overrun_s": round(end - max(s.end_s for s in loud), 2) if loud else None,
                "into_other_turn": any(b > e.start_s and a < end for a, b in other_spans),
                "into_calm_clip": any(_is_calm(s.label) for s in hit),
            }
        )
    return out


# --------------------------------------------------------------------------------------------
# Data (cached for one process)


@dataclass(frozen=True)
class RavdessClip:
    path: str
    actor: str
    gender: str
    label: str  # "<emotion>-<intensity>"
    samples: np.ndarray  # trimmed to the speech, 16 kHz


def _is_calm(label: str) -> bool:
    return label.split("-")[0] in ("neutral", "calm")


@lru_cache(maxsize=4)
def load_ravdess(data: Path | None = None) -> tuple[RavdessClip, ...]:
    """Every labelled RAVDESS clip, decoded to 16 kHz and trimmed to its speech."""
    d = data or shared_data() / "ravdess_dev"
    with open(d / "labels.csv") as fh:
        rows = list(csv.DictReader(fh))
    return tuple(
        RavdessClip(
            r["path"],
            f"{int(r['actor']):02d}",
            r["gender"],
            f"{r['emotion']}-{r['intensity']}",
            trim_to_speech(load_audio(d / r["path"]).samples[0]),
        )
        for r in rows
    )


def ravdess_call(
    clips: Sequence[RavdessClip],
    actor: str,
    role: str,
    *,
    seed: int = DEFAULT_SEED,
    baseline_clips: int = 3,
) -> BuiltCall:
    """The call of ``actor`` in ``role`` (``"agent"``: channel 0, ``"customer"``: channel 1).

    Baseline: ``baseline_clips`` of the actor's neutral and calm-normal clips (seeded choice,
    ~10 s). Test part: every other clip of the actor, shuffled (seeded by actor and role). The
    other party is another actor (seeded choice), answering with their neutral/calm clips.
    """
    role_i = {"agent": 0, "customer": 1}[role]
    rng = np.random.default_rng([seed, int(actor), role_i])
    own = [c for c in clips if c.actor == actor]
    if not own:
        raise ValueError(f"no RAVDESS clips for actor {actor}")
    quiet = [c for c in own if c.label in ("neutral-normal", "calm-normal")]
    pick = set(rng.choice(len(quiet), size=min(baseline_clips, len(quiet)), replace=False))
    base = [quiet[i] for i in sorted(pick)]
    rest = [c for c in own if c not in base]
    order = rng.permutation(len(rest))
    test = [rest[i] for i in order]
    others = sorted({c.actor for c in clips} - {actor})
    partner = others[int(rng.integers(len(others)))]
    answers = [c.samples for c in clips if c.actor == partner and _is_calm(c.label)]
    answers = [answers[i] for i in rng.permutation(len(answers))]
    call = build_call(
        [Clip(c.path, c.label, c.samples) for c in base],
        [Clip(c.path, c.label, c.samples) for c in test],
        answers,
        analysed_channel=role_i,
        rng=rng,
    )
    # Each line's calm voice (the noise reference of noise_ref="calm" conditions): the P.56
    # active level of the analysed party's baseline clips, and of the other party's answers.
    # (With no baseline clips, ``--baseline-clips 0``: the calm and neutral clips among the rest.)
    calm_src = base or [c for c in test if c.label.startswith(("calm", "neutral"))] or test
    own_calm = active_level_dbfs(np.concatenate([c.samples for c in calm_src]), SR_HZ)
    other_calm = active_level_dbfs(np.concatenate(answers), SR_HZ)
    levels = [own_calm, other_calm] if role_i == 0 else [other_calm, own_calm]
    call.meta.update(
        actor=actor,
        role=role,
        partner=partner,
        gender=own[0].gender,
        calm_levels_dbfs=[None if v is None else round(v, 2) for v in levels],
    )
    return call


#: Where channel copies are kept between runs (``CALLTONE_BENCH_CACHE`` overrides; outside the
#: repository, since RAVDESS must not be copied into it).
DEFAULT_DISK_CACHE = Path(os.environ.get("CALLTONE_BENCH_CACHE", "/tmp/calltone_bench_cache"))


@lru_cache(maxsize=1)
def _telephone_source_hash() -> str:
    return hashlib.sha1((ROOT / "bench" / "telephone.py").read_bytes()).hexdigest()


class ChannelCache:
    """Channel copies of signals: kept in memory for one run and, when ``directory`` is given,
    on disk between runs (the channel does not depend on the code under test, and the codecs
    are most of a run's time).

    A disk entry is the channel's own output (8 kHz float32 for narrowband conditions), keyed by
    the input samples, the condition, the seed and ``bench/telephone.py``'s source; it is brought
    back to 16 kHz exactly as :func:`telephone.through` does, so a cached copy is bit-identical
    to a fresh one.
    """

    def __init__(self, directory: Path | None = None, *, memory: bool = True) -> None:
        self.directory = directory
        self.memory = memory
        self._store: dict[tuple[str, str, int], np.ndarray] = {}

    def get(
        self,
        key: str,
        samples: np.ndarray,
        condition: str,
        seed: int,
        calm_levels_dbfs: Sequence[float | None] | None = None,
    ) -> np.ndarray:
        """``samples`` ((channels, n) or (n,), 16 kHz) through ``condition``; ``key`` names the
        signal for the in-memory cache; ``calm_levels_dbfs`` per channel, the noise reference of
        ``noise_ref="calm"`` conditions (``telephone.simulate``)."""
        k = (key, condition, seed)
        if k in self._store:
            return self._store[k]
        levels = calm_levels_dbfs if ALL_CONDITIONS[condition].noise_ref == "calm" else None
        if condition == "wideband":
            y = samples
        elif self.directory is None:
            y = through(samples, condition, seed=seed, calm_levels_dbfs=levels)
        else:
            y = self._from_disk(samples, condition, seed, levels)
        if self.memory:
            self._store[k] = y
        return y

    def _from_disk(
        self,
        samples: np.ndarray,
        condition: str,
        seed: int,
        calm_levels_dbfs: Sequence[float | None] | None = None,
    ) -> np.ndarray:
        assert self.directory is not None
        cond = ALL_CONDITIONS[condition]
        x = np.asarray(samples, dtype=np.float32)
        h = hashlib.sha1()
        parts = [_telephone_source_hash(), repr(cond), str(seed), repr(x.shape)]
        if calm_levels_dbfs is not None:
            parts.append(repr(list(calm_levels_dbfs)))
        for part in parts:
            h.update(part.encode())
        h.update(np.ascontiguousarray(x).tobytes())
        path = self.directory / f"{condition}-{h.hexdigest()}.npy"
        try:
            raw = np.load(path)
        except (OSError, ValueError):
            raw = simulate_channels(
                x, SR_HZ, cond, seed=seed, calm_levels_dbfs=calm_levels_dbfs
            ).samples
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(tmp, raw)
            tmp.replace(path)
        rate = NARROWBAND_RATE_HZ if cond.narrowband else SR_HZ
        out = to_16k(TelephoneAudio(raw, rate))
        n = x.shape[-1]
        out = out[:, :n] if out.shape[-1] >= n else np.pad(out, ((0, 0), (0, n - out.shape[-1])))
        return out if x.ndim == 2 else out[0]


#: The in-memory cache used when a function is given none (lives as long as the process).
CACHE = ChannelCache()


# --------------------------------------------------------------------------------------------
# Part 1: RAVDESS calls with many clips


def _rate(xs: Sequence[bool]) -> float | None:
    return round(float(np.mean(xs)), 3) if len(xs) else None


def run_calls(
    conditions: Sequence[str],
    *,
    actors: Sequence[str] = ACTORS,
    config: AnalysisConfig | None = None,
    seed: int = DEFAULT_SEED,
    clips: Sequence[RavdessClip] | None = None,
    cache: ChannelCache | None = None,
    keep_calls: bool = False,
    baseline_clips: int = 3,
) -> dict[str, Any]:
    """Flag rates per clip class and condition on RAVDESS calls with many clips (part 1)."""
    cfg = config or AnalysisConfig()
    cache = cache or CACHE
    clips = clips if clips is not None else load_ravdess()
    calls = [
        ravdess_call(clips, a, role, seed=seed, baseline_clips=baseline_clips)
        for a in actors
        for role in ("agent", "customer")
    ]
    out: dict[str, Any] = {}
    for cond in conditions:
        t0 = time.perf_counter()
        rows: list[dict[str, Any]] = []
        spill: list[dict[str, Any]] = []
        alerts: Counter[str] = Counter()
        per_call = []
        for call in calls:
            m = call.meta
            key = f"call-{m['actor']}-{m['role']}-b{baseline_clips}"
            # The channel's seed follows the call's place among all actors' calls, so a run
            # on some actors hears each call through the same channel copy as the full run.
            k = 2 * ACTORS.index(m["actor"]) + (m["role"] == "customer")
            x = cache.get(key, call.samples, cond, seed + 100 * k, m["calm_levels_dbfs"])
            res = run_session(
                DecodedAudio(x, SR_HZ, SR_HZ, f"ravdess-{m['actor']}-{m['role']}"),
                ChannelRoles(agent=0, customer=1),
                cfg,
            )
            role = m["role"]
            kinds = ("yelling", "agent_tone") if role == "agent" else ("yelling",)
            flags = flag_clips(res.analysis.events, call.spans, role, kinds)
            spill += event_spill(
                res.analysis.events,
                call.spans,
                call.other_spans,
                role,
                kinds,
                call_end_s=call.duration_s,
            )
            for s, f in zip(call.spans, flags, strict=True):
                rows.append({"role": role, "actor": m["actor"], "span": s, **f})
            kinds_seen = Counter(a.kind for a in res.alerts)
            alerts.update(kinds_seen)
            per_call.append(
                {
                    "actor": m["actor"],
                    "role": role,
                    "partner": m["partner"],
                    "duration_s": round(call.duration_s, 1),
                    "spans": [
                        (sp.label, round(sp.start_s, 2), round(sp.end_s, 2), sp.baseline)
                        for sp in call.spans
                    ],
                    "alerts": dict(kinds_seen),
                    "events": [
                        (
                            e.kind,
                            e.speaker,
                            round(e.start_s, 2),
                            None if e.end_s is None else round(e.end_s, 2),
                        )
                        for e in res.analysis.events
                        if e.kind in TONE_EVENTS
                    ],
                }
            )
        out[cond] = _summarise_calls(rows, alerts, len(calls))
        out[cond]["summary"].update(_summarise_spill(spill))
        out[cond]["seconds"] = round(time.perf_counter() - t0, 1)
        out[cond]["call_audio_s"] = round(sum(c.duration_s for c in calls), 1)
        if keep_calls:
            out[cond]["calls"] = per_call
    return out


def _summarise_calls(
    rows: list[dict[str, Any]], alerts: Counter[str], n_calls: int
) -> dict[str, Any]:
    test = [r for r in rows if not r["span"].baseline]
    base = [r for r in rows if r["span"].baseline]
    agent = [r for r in test if r["role"] == "agent"]

    def sel(rs: list[dict[str, Any]], pred: Any) -> list[dict[str, Any]]:
        return [r for r in rs if pred(r["span"])]

    calm = lambda s: _is_calm(s.label)  # noqa: E731
    angry = lambda s: s.label.startswith("angry")  # noqa: E731
    after_angry = lambda s: _is_calm(s.label) and (s.prev_label or "").startswith("angry")  # noqa: E731
    by_class: dict[str, Any] = {}
    for label in sorted({r["span"].label for r in test}):
        rs = sel(test, lambda s, lab=label: s.label == lab)
        ag = [r for r in rs if r["role"] == "agent"]
        by_class[label] = {
            "n": len(rs),
            "yelling": _rate([r["yelling"] for r in rs]),
            "n_agent": len(ag),
            "agent_tone": _rate([r["agent_tone"] for r in ag]),
        }
    s: dict[str, Any] = {
        "yelling_angry_strong": _rate(
            [r["yelling"] for r in sel(test, lambda s: s.label == "angry-strong")]
        ),
        "yelling_calm": _rate([r["yelling"] for r in sel(test, calm)]),
        "agent_tone_angry": _rate([r["agent_tone"] for r in sel(agent, angry)]),
        "agent_tone_calm": _rate([r["agent_tone"] for r in sel(agent, calm)]),
        "yelling_happy_strong": _rate(
            [r["yelling"] for r in sel(test, lambda s: s.label == "happy-strong")]
        ),
        "yelling_fearful_strong": _rate(
            [r["yelling"] for r in sel(test, lambda s: s.label == "fearful-strong")]
        ),
        "agent_tone_happy_strong": _rate(
            [r["agent_tone"] for r in sel(agent, lambda s: s.label == "happy-strong")]
        ),
        "agent_tone_fearful_strong": _rate(
            [r["agent_tone"] for r in sel(agent, lambda s: s.label == "fearful-strong")]
        ),
        "calm_after_angry_n": len(sel(test, after_angry)),
        "yelling_calm_after_angry": _rate([r["yelling"] for r in sel(test, after_angry)]),
        "agent_tone_calm_after_angry": _rate([r["agent_tone"] for r in sel(agent, after_angry)]),
        "baseline_n": len(base),
        "baseline_yelling": _rate([r["yelling"] for r in base]),
        "baseline_agent_tone": _rate([r["agent_tone"] for r in base if r["role"] == "agent"]),
        "alerts_per_call": round(sum(alerts.values()) / max(1, n_calls), 2),
        "alerts_by_kind": dict(sorted(alerts.items())),
        "n_calls": n_calls,
        # The same rates per role (yelling runs on both parties, agent_tone on the agent only).
        "yelling_angry_strong_agent": _rate(
            [r["yelling"] for r in sel(agent, lambda s: s.label == "angry-strong")]
        ),
        "yelling_angry_strong_customer": _rate(
            [
                r["yelling"]
                for r in sel(test, lambda s: s.label == "angry-strong")
                if r["role"] == "customer"
            ]
        ),
        "yelling_calm_agent": _rate([r["yelling"] for r in sel(agent, calm)]),
        "yelling_calm_customer": _rate(
            [r["yelling"] for r in sel(test, calm) if r["role"] == "customer"]
        ),
    }
    s["targets_met"] = _targets(s)

    def where(rs: list[dict[str, Any]]) -> list[str]:
        return [f"{r['actor']}/{r['role']}/{r['span'].label}@{r['span'].start_s:.1f}s" for r in rs]

    # Which clips miss (for debugging a change): actor/role/label@start in the call.
    s["misses"] = {
        "angry_strong_not_yelling": where(
            [r for r in sel(test, lambda s: s.label == "angry-strong") if not r["yelling"]]
        ),
        "angry_not_agent_tone": where([r for r in sel(agent, angry) if not r["agent_tone"]]),
        "calm_yelling": where([r for r in sel(test, calm) if r["yelling"]]),
        "calm_agent_tone": where([r for r in sel(agent, calm) if r["agent_tone"]]),
    }
    return {"summary": s, "by_class": by_class}


def _summarise_spill(spill: list[dict[str, Any]]) -> dict[str, Any]:
    """Event-span tightness over all tone events of the analysed parties (see event_spill)."""
    over = [d["overrun_s"] for d in spill if d["overrun_s"] is not None]
    n = len(spill)
    return {
        "tone_events": n,
        "event_overrun_median_s": round(float(np.median(over)), 2) if over else None,
        "event_overrun_p90_s": round(float(np.percentile(over, 90)), 2) if over else None,
        "events_into_other_turn": round(sum(d["into_other_turn"] for d in spill) / n, 3)
        if n
        else None,
        "events_into_calm_clip": round(sum(d["into_calm_clip"] for d in spill) / n, 3)
        if n
        else None,
    }


def _targets(s: dict[str, Any]) -> dict[str, bool | None]:
    out: dict[str, bool | None] = {}
    for k, (how, bound) in TARGETS.items():
        v = s.get(k)
        out[k] = None if v is None else (v >= bound if how == "min" else v <= bound)
    return out


# --------------------------------------------------------------------------------------------
# Part 2: real calm calls


@dataclass
class CalmCall:
    """A real calm recording: samples, roles, whether it is already narrowband, and the
    reference talk time of each analysed party (seconds, fixed per source)."""

    name: str
    group: str  # "telephone" or "ami"
    samples: np.ndarray
    roles: ChannelRoles
    narrowband_source: bool
    talk_s: dict[str, float]
    note: str = ""


def energy_talk_s(x: np.ndarray, *, below_loud_db: float = 30.0, hangover_s: float = 0.2) -> float:
    """Reference talk time of one party's own channel: 10 ms frames within ``below_loud_db`` of
    the channel's loud-frame level (95th percentile), bridged over gaps up to ``hangover_s``.
    Deliberately independent of calltone's speech gate, so the denominator does not move when
    the front end under test changes."""
    hop = SR_HZ // 100
    k = x.size // hop
    p = np.mean(x[: k * hop].astype(np.float64).reshape(k, hop) ** 2, axis=1)
    db = 10 * np.log10(p + 1e-12)
    on = db > np.percentile(db, 95) - below_loud_db
    idx = np.flatnonzero(on)
    gap = int(hangover_s * 100)
    for a, b in itertools.pairwise(idx):
        if 1 < b - a <= gap:
            on[a:b] = True
    return float(on.sum()) / 100


def rttm_turns(path: Path, speakers: Iterable[str] | None = None) -> list[tuple[float, float]]:
    """(start, end) seconds of the turns of ``speakers`` (all when None) in an RTTM file."""
    want = set(speakers) if speakers is not None else None
    turns = []
    for line in path.read_text().splitlines():
        f = line.split()
        if len(f) >= 8 and f[0] == "SPEAKER" and (want is None or f[7] in want):
            turns.append((float(f[3]), float(f[3]) + float(f[4])))
    return turns


def rttm_talk_s(path: Path, speakers: Iterable[str] | None = None) -> float:
    """Talk time (union of turns, seconds) of ``speakers`` (all when None) in an RTTM file."""
    turns = rttm_turns(path, speakers)
    total, end = 0.0, -math.inf
    for a, b in sorted(turns):
        if b > end:
            total += b - max(a, end)
            end = b
    return total


def reference_talk_s(call: CalmCall) -> float:
    """The calm talk (seconds) a false-alarm rate is divided by."""
    return sum(call.talk_s.values())


@lru_cache(maxsize=2)
def load_calm_calls(data: Path | None = None) -> tuple[CalmCall, ...]:
    """The real calm calls (telephone calls and the six AMI pairings)."""
    d = data or shared_data()
    lca = d / "lca_calls"
    out: list[CalmCall] = []
    ag = load_audio(lca / "Auto_Repairs_40_UTC_agent.flac").samples[0]
    cu = load_audio(lca / "Auto_Repairs_40_UTC_caller.flac").samples[0]
    n = min(ag.size, cu.size)
    two = np.stack([ag[:n], cu[:n]])
    out.append(
        CalmCall(
            "lca_auto_repairs",
            "telephone",
            two,
            ChannelRoles(agent=0, customer=1),
            True,
            {"agent": energy_talk_s(two[0]), "customer": energy_talk_s(two[1])},
            "two-party, agent ch0 + caller ch1 (8 kHz)",
        )
    )
    mono = load_audio(lca / "agent.flac").samples[:1]
    out.append(
        CalmCall(
            "lca_agent",
            "telephone",
            mono,
            ChannelRoles(agent=0, customer=None),
            True,
            {"agent": energy_talk_s(mono[0])},
            "mono agent side (8 kHz)",
        )
    )
    pc = d / "phone_call_2spk"
    mix = load_audio(pc / "sample.wav").samples[:1]
    out.append(
        CalmCall(
            "phone_call_2spk",
            "telephone",
            mix,
            ChannelRoles(agent=0, customer=None),
            True,
            {"agent": rttm_talk_s(pc / "sample.rttm")},
            "both sides summed in one channel, analysed as a mono agent (8 kHz band)",
        )
    )
    ami = d / "ami_meeting_4spk_60s"
    src = {s: load_audio(ami / "sources" / s).samples[0] for s in AMI_SOURCES}
    rttm = ami / "mixture.rttm"
    for a in AMI_SOURCES:
        for c in AMI_SOURCES:
            if a == c:
                continue
            n = min(src[a].size, src[c].size)
            out.append(
                CalmCall(
                    f"ami_{a[:-4]}+{c[:-4]}",
                    "ami",
                    np.stack([src[a][:n], src[c][:n]]),
                    ChannelRoles(agent=0, customer=1),
                    False,
                    {
                        "agent": rttm_talk_s(rttm, [AMI_SPEAKERS[a]]),
                        "customer": rttm_talk_s(rttm, [AMI_SPEAKERS[c]]),
                    },
                    "AMI close-talk pairing (wideband)",
                )
            )
    return tuple(out)


def run_calm(
    conditions: Sequence[str],
    *,
    config: AnalysisConfig | None = None,
    seed: int = DEFAULT_SEED,
    calls: Sequence[CalmCall] | None = None,
    cache: ChannelCache | None = None,
    recode_telephone: bool = False,
) -> dict[str, Any]:
    """False alarms on real calm calls (part 2). Telephone recordings run as recorded
    (``"as_recorded"``), and with ``recode_telephone`` also through every narrowband condition
    in ``conditions`` (the line recoded again: a recorder's MP3, a trunk's ADPCM, a quieter line
    behind gain control); wideband sources run as recorded (``"wideband"``) and through every
    condition in ``conditions``."""
    cfg = config or AnalysisConfig()
    cache = cache or CACHE
    calls = calls if calls is not None else load_calm_calls()
    per_call: list[dict[str, Any]] = []
    for k, call in enumerate(calls):
        if call.narrowband_source:
            conds = ["as_recorded"]
            if recode_telephone:
                conds += [c for c in conditions if c != "wideband" and ALL_CONDITIONS[c].narrowband]
        else:
            conds = list(conditions)
        for cond in conds:
            x = (
                call.samples
                if cond in ("as_recorded", "wideband")
                else cache.get(f"calm-{call.name}", call.samples, cond, seed + 100 * k)
            )
            res = run_session(DecodedAudio(x, SR_HZ, SR_HZ, call.name), call.roles, cfg)
            ev = [e for e in res.analysis.events if e.kind in TONE_EVENTS]
            al = [a for a in res.alerts if a.kind in CALM_FALSE_ALERTS]
            per_call.append(
                {
                    "call": call.name,
                    "group": call.group,
                    "condition": cond,
                    "audio_s": round(x.shape[1] / SR_HZ, 1),
                    "calm_talk_s": round(reference_talk_s(call), 1),
                    "analyser_talk_s": {
                        r: res.analysis.metrics.get(r, {}).get("talk_time_s")
                        for r in call.roles.present
                    },
                    "yelling": sum(e.kind == "yelling" for e in ev),
                    "agent_tone": sum(e.kind == "agent_tone" for e in ev),
                    "false_alerts": len(al),
                    "alerts_by_kind": dict(Counter(a.kind for a in al)),
                    "events": [
                        (
                            e.kind,
                            e.speaker,
                            round(e.start_s, 2),
                            None if e.end_s is None else round(e.end_s, 2),
                        )
                        for e in ev
                    ],
                    "note": call.note,
                }
            )
    groups: dict[str, Any] = {}
    keys = sorted({(r["group"], r["condition"]) for r in per_call})
    for g, c in keys:
        rs = [r for r in per_call if r["group"] == g and r["condition"] == c]
        groups[f"{g}/{c}"] = _calm_summary(rs)
    return {"groups": groups, "calls": per_call}


def _calm_summary(rs: list[dict[str, Any]]) -> dict[str, Any]:
    talk_h = sum(r["calm_talk_s"] for r in rs) / 3600
    audio_h = sum(r["audio_s"] for r in rs) / 3600
    y = sum(r["yelling"] for r in rs)
    t = sum(r["agent_tone"] for r in rs)
    a = sum(r["false_alerts"] for r in rs)
    return {
        "calls": len(rs),
        "audio_min": round(audio_h * 60, 2),
        "calm_talk_min": round(talk_h * 60, 2),
        "yelling": y,
        "agent_tone": t,
        "false_alerts": a,
        "false_alerts_per_talk_h": round(a / talk_h, 1) if talk_h else None,
        "false_alerts_per_audio_h": round(a / audio_h, 1) if audio_h else None,
        "tone_events_per_talk_h": round((y + t) / talk_h, 1) if talk_h else None,
    }


# --------------------------------------------------------------------------------------------
# Part 3: front end on narrowband copies vs the clean original


def frame_agreement(
    clean: Any, nb: Any, own: np.ndarray | None = None, interval_max_frames: int = 0
) -> dict[str, float]:
    """Frame counts comparing two :class:`audio.features.ChannelFrames` on the same grid.

    Returns the raw counts so several signals can be pooled (see :func:`frontend_ratios`).
    ``own`` marks the frames inside the party's own turns (default: every frame); the
    ``*_own`` counts keep only those (a close-talk microphone also hears other talkers, whose
    leak the clean copy calls speech and a noisy copy buries). ``interval_max_frames``
    (``FeatureOptions.syllable_interval_max_s`` in frames; 0 = off): the syllable rate is read
    over the intervals between nuclei (:class:`audio.features.NucleusIntervals`), as a call's
    metrics then report it.
    """
    from calltone.audio.features import NucleusIntervals

    n = min(len(clean.speech), len(nb.speech))
    sc, sn = np.asarray(clean.speech[:n], bool), np.asarray(nb.speech[:n], bool)
    mine = np.ones(n, bool) if own is None else np.asarray(own[:n], bool)
    if mine.size < n:
        mine = np.pad(mine, (0, n - mine.size))
    vc, vn = np.asarray(clean.voiced[:n], bool), np.asarray(nb.voiced[:n], bool)
    fc, fn = np.asarray(clean.f0_hz[:n], float), np.asarray(nb.f0_hz[:n], float)
    both = vc & vn & (fc > 0) & (fn > 0)
    ratio = np.where(both, fn / np.where(fc > 0, fc, 1.0), 1.0)
    out = {
        "speech_clean": float(sc.sum()),
        "speech_nb": float(sn.sum()),
        "speech_both": float((sc & sn).sum()),
        "speech_clean_own": float((sc & mine).sum()),
        "speech_nb_own": float((sn & mine).sum()),
        "voiced_clean": float(vc.sum()),
        "voiced_both": float(both.sum()),
        "gross_errors": float((both & (np.abs(ratio - 1.0) > 0.2)).sum()),
        "voiced_both_own": float((both & mine).sum()),
        "gross_errors_own": float((both & mine & (np.abs(ratio - 1.0) > 0.2)).sum()),
        "octave_up": float((both & (ratio > 1.5)).sum()),
        "octave_down": float((both & (ratio < 0.67)).sum()),
        # the syllable rate's divisor: the speech the detectors hear (``ChannelFrames.heard``:
        # without the masked hangover's word tails, which carry no nuclei by design)
        "heard_clean": float(np.asarray(getattr(clean, "heard", clean.speech)[:n], bool).sum()),
        "heard_nb": float(np.asarray(getattr(nb, "heard", nb.speech)[:n], bool).sum()),
        "nuclei_clean": float(np.asarray(clean.nucleus[:n], bool).sum()),
        "nuclei_nb": float(np.asarray(nb.nucleus[:n], bool).sum()),
        "log_f0_ratio_sum": float(np.log(ratio[both]).sum()) if both.any() else 0.0,
    }
    if interval_max_frames > 0:
        for tag, ch in (("clean", clean), ("nb", nb)):
            iv = NucleusIntervals(interval_max_frames)
            iv.push(
                np.asarray(ch.nucleus[:n], bool),
                np.asarray(getattr(ch, "heard", ch.speech)[:n], bool),
            )
            out[f"intervals_{tag}"] = float(iv.count)
            out[f"interval_frames_{tag}"] = float(iv.frames)
    return out


def frontend_ratios(c: dict[str, float]) -> dict[str, float | None]:
    """Ratios from pooled :func:`frame_agreement` counts."""

    def div(a: float, b: float) -> float | None:
        return round(a / b, 3) if b else None

    def rate_ratio(num: str, den: str) -> float | None:
        # from the unrounded rates (nuclei per frame, ~0.03-0.05: rounded to 3 places first,
        # the ratio moved in steps of ~3 %, as it did before session 21)
        n_c, d_c, n_n, d_n = c[num + "_clean"], c[den + "_clean"], c[num + "_nb"], c[den + "_nb"]
        if not (n_c and d_c and n_n and d_n):
            return None
        return round((n_n / d_n) / (n_c / d_c), 3)

    heard = "heard" if "heard_clean" in c else "speech"
    heard_ratio = rate_ratio("nuclei", heard)
    syllable_ratio = heard_ratio
    if "intervals_clean" in c:  # FeatureOptions.syllable_interval_max_s: the metric's rate
        syllable_ratio = rate_ratio("intervals", "interval_frames")
    return {
        "talk_ratio": div(c["speech_nb"], c["speech_clean"]),
        "talk_ratio_own": div(c.get("speech_nb_own", 0.0), c.get("speech_clean_own", 0.0)),
        "speech_recall": div(c["speech_both"], c["speech_clean"]),
        "voicing_recall": div(c["voiced_both"], c["voiced_clean"]),
        "gross_pitch_error": div(c["gross_errors"], c["voiced_both"]),
        "gross_pitch_error_own": div(c.get("gross_errors_own", 0.0), c.get("voiced_both_own", 0.0)),
        "pitch_up_gt_1_5x": div(c["octave_up"], c["voiced_both"]),
        "pitch_down_lt_0_67x": div(c["octave_down"], c["voiced_both"]),
        "median_f0_ratio_geo": (
            round(math.exp(c["log_f0_ratio_sum"] / c["voiced_both"]), 3)
            if c["voiced_both"]
            else None
        ),
        "syllable_rate_ratio": syllable_ratio,
        # nuclei per heard second, whichever rate the metrics report
        "syllable_rate_heard_ratio": heard_ratio,
        "speech_s_clean": round(c["speech_clean"] / 100, 1),
    }


def _frontend_signals(
    actors: Sequence[str], clips: Sequence[RavdessClip]
) -> list[tuple[str, str, np.ndarray, float | None, list[tuple[float, float]] | None]]:
    """(name, group, mono 16 kHz signal, calm level, own turns): each RAVDESS actor's clips
    joined with 0.6 s pauses over a -70 dBFS noise floor (group = gender; calm level: the P.56
    active level of the actor's neutral and calm-normal clips; own turns None: all of it), and
    the AMI sources 0, 1, 3 (group ``ami``; calm level None: the whole source, which is calm
    talk; own turns: the wearer's RTTM turns)."""
    rng = np.random.default_rng(DEFAULT_SEED)
    out: list[tuple[str, str, np.ndarray, float | None, list[tuple[float, float]] | None]] = []
    pause = np.zeros(int(0.6 * SR_HZ), np.float32)
    for a in actors:
        own = [c for c in clips if c.actor == a]
        if not own:
            continue
        parts = [pause]
        for c in own:
            parts += [c.samples, pause]
        x = np.concatenate(parts)
        x = x + (rng.standard_normal(x.size) * 10 ** (-70 / 20)).astype(np.float32)
        calm = [c.samples for c in own if c.label in ("neutral-normal", "calm-normal")]
        level = active_level_dbfs(np.concatenate(calm), SR_HZ) if calm else None
        out.append((f"ravdess-{a}", own[0].gender, x.astype(np.float32), level, None))
    ami = shared_data() / "ami_meeting_4spk_60s"
    for s in AMI_SOURCES:
        turns = rttm_turns(ami / "mixture.rttm", [AMI_SPEAKERS[s]])
        out.append(
            (f"ami-{s[:-4]}", "ami", load_audio(ami / "sources" / s).samples[0], None, turns)
        )
    return out


def run_frontend(
    conditions: Sequence[str],
    *,
    actors: Sequence[str] = ACTORS,
    seed: int = DEFAULT_SEED,
    clips: Sequence[RavdessClip] | None = None,
    cache: ChannelCache | None = None,
    options: Any = None,
) -> dict[str, Any]:
    """Front-end agreement of each narrowband copy with the clean original (part 3)."""
    from calltone.audio.features import extract_features

    opts = options if options is not None else AnalysisConfig().features
    cache = cache or CACHE
    clips = clips if clips is not None else load_ravdess()
    signals = _frontend_signals(actors, clips)
    interval_max = (
        opts.frames(opts.syllable_interval_max_s) if opts.syllable_interval_max_s > 0 else 0
    )
    clean = {name: extract_features(x[None, :], opts).channels[0] for name, _, x, _, _ in signals}
    out: dict[str, Any] = {}
    for cond in conditions:
        if cond == "wideband":
            continue
        t0 = time.perf_counter()
        pooled: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        per_signal = {}
        for k, (name, group, x, calm_level, turns) in enumerate(signals):
            y = cache.get(f"fe-{name}", x, cond, seed + 7 * k, [calm_level])
            nb = extract_features(y[None, :], opts).channels[0]
            own = None
            if turns is not None:
                t = np.asarray(opts.frame_time_s(np.arange(len(nb.speech))))
                own = np.zeros(t.size, bool)
                for a, b in turns:
                    own |= (t >= a) & (t < b)
            c = frame_agreement(clean[name], nb, own, interval_max)
            per_signal[name] = frontend_ratios(c)
            for g in (group, "ravdess" if group != "ami" else "ami", "all"):
                for key, v in c.items():
                    pooled[g][key] += v
        out[cond] = {
            "pooled": {g: frontend_ratios(dict(v)) for g, v in sorted(pooled.items())},
            "per_signal": per_signal,
            "seconds": round(time.perf_counter() - t0, 1),
        }
    return out


# --------------------------------------------------------------------------------------------
# Everything, the table, the CLI

PARTS = ("calls", "calm", "frontend")


def evaluate(
    conditions: Sequence[str] | None = None,
    *,
    actors: Sequence[str] = ACTORS,
    parts: Sequence[str] = PARTS,
    config: AnalysisConfig | None = None,
    seed: int = DEFAULT_SEED,
    keep_calls: bool = False,
    baseline_clips: int = 3,
    cache: ChannelCache | None = None,
    recode_telephone: bool = False,
) -> dict[str, Any]:
    """Run the selected parts; the result is what ``--json`` writes (``recode_telephone``: see
    :func:`run_calm`).

    ``cache`` holds the channel copies (default: :data:`CACHE`, in memory for the process; pass
    ``ChannelCache(DEFAULT_DISK_CACHE)`` to keep them on disk between runs)."""
    conds = list(conditions or CONDITIONS)
    bad = [c for c in conds if c not in ALL_CONDITIONS]
    if bad:
        raise SystemExit(f"unknown condition(s) {bad}; choose from {', '.join(ALL_CONDITIONS)}")
    out: dict[str, Any] = {"conditions": conds, "actors": list(actors), "seed": seed}
    t0 = time.perf_counter()
    if "calls" in parts:
        out["calls"] = run_calls(
            conds,
            actors=actors,
            config=config,
            seed=seed,
            keep_calls=keep_calls,
            baseline_clips=baseline_clips,
            cache=cache,
        )
    if "calm" in parts:
        out["calm"] = run_calm(
            conds, config=config, seed=seed, cache=cache, recode_telephone=recode_telephone
        )
    if "frontend" in parts:
        out["frontend"] = run_frontend(
            conds,
            actors=actors,
            seed=seed,
            cache=cache,
            options=config.features if config is not None else None,
        )
    out["wall_s"] = round(time.perf_counter() - t0, 1)
    return out


def _f(v: Any, w: int = 6) -> str:
    if v is None:
        return "-".rjust(w)
    if isinstance(v, float):
        return f"{v:.2f}".rjust(w)
    return str(v).rjust(w)


def format_table(out: dict[str, Any]) -> str:
    """A compact plain-text report of :func:`evaluate`'s result."""
    lines: list[str] = []
    if "calls" in out:
        lines.append(
            "RAVDESS calls with many clips (rate of clips flagged; targets: yell>=0.95 "
            "yell_calm<=0.02 tone>=0.85 tone_calm<=0.05)"
        )
        hdr = (
            f"{'condition':<22}{'yellAS':>7}{'yCalm':>7}{'tone':>7}{'tCalm':>7}{'yHapS':>7}"
            f"{'yFeaS':>7}{'tHapS':>7}{'tFeaS':>7}{'yCaA':>7}{'tCaA':>7}{'nCaA':>5}{'baseY':>7}"
            f"{'baseT':>7}{'al/call':>8}{'sec':>6}"
        )
        lines.append(hdr)
        for cond, v in out["calls"].items():
            s = v["summary"]
            lines.append(
                f"{cond:<22}"
                + "".join(
                    _f(s[k], 7)
                    for k in (
                        "yelling_angry_strong",
                        "yelling_calm",
                        "agent_tone_angry",
                        "agent_tone_calm",
                        "yelling_happy_strong",
                        "yelling_fearful_strong",
                        "agent_tone_happy_strong",
                        "agent_tone_fearful_strong",
                        "yelling_calm_after_angry",
                        "agent_tone_calm_after_angry",
                    )
                )
                + _f(s["calm_after_angry_n"], 5)
                + _f(s["baseline_yelling"], 7)
                + _f(s["baseline_agent_tone"], 7)
                + _f(s["alerts_per_call"], 8)
                + _f(v["seconds"], 6)
            )
        lines.append(
            "  (yellAS yelling on angry-strong; yCalm/tCalm calm+neutral flagged; tone agent_tone on "
            "angry normal+strong; yCaA/tCaA calm right after angry; base* baseline clips)"
        )
        lines.append(
            "  event spans (analysed party's tone events): "
            + "; ".join(
                f"{cond} n={v['summary'].get('tone_events')} overrun median "
                f"{_m(v['summary'].get('event_overrun_median_s'))} s p90 "
                f"{_m(v['summary'].get('event_overrun_p90_s'))} s, into other's turn "
                f"{_m(v['summary'].get('events_into_other_turn'))}, into a calm clip "
                f"{_m(v['summary'].get('events_into_calm_clip'))}"
                for cond, v in out["calls"].items()
            )
        )
    if "calm" in out:
        lines.append("")
        lines.append(
            "Real calm calls (every event/alert is false; per hour of calm talk / of audio)"
        )
        lines.append(
            f"{'group/condition':<32}{'calls':>6}{'min':>7}{'talkMin':>8}{'yell':>6}{'tone':>6}"
            f"{'alerts':>7}{'al/talk_h':>10}{'al/aud_h':>9}{'ev/talk_h':>10}"
        )
        for g, s in out["calm"]["groups"].items():
            lines.append(
                f"{g:<32}{_f(s['calls'], 6)}{_f(s['audio_min'], 7)}{_f(s['calm_talk_min'], 8)}"
                f"{_f(s['yelling'], 6)}{_f(s['agent_tone'], 6)}{_f(s['false_alerts'], 7)}"
                f"{_f(s['false_alerts_per_talk_h'], 10)}{_f(s['false_alerts_per_audio_h'], 9)}"
                f"{_f(s['tone_events_per_talk_h'], 10)}"
            )
        tel = [r for r in out["calm"]["calls"] if r["group"] == "telephone"]
        for r in tel:
            lines.append(
                f"  {r['call']:<20} {r['condition']:<26} yelling {r['yelling']} "
                f"agent_tone {r['agent_tone']} alerts {r['alerts_by_kind'] or 0}"
            )
    if "frontend" in out:
        lines.append("")
        lines.append(
            "Front end, narrowband copy vs clean (targets: talk 0.90-1.10, GPE<=0.05, syll 0.85-1.15)"
        )
        lines.append(
            f"{'condition':<22}{'group':<8}{'talk':>6}{'tOwn':>6}{'spRec':>7}{'vRec':>6}{'GPE':>6}"
            f"{'gOwn':>6}{'up':>6}"
            f"{'down':>6}{'f0x':>6}{'syll':>6}"
        )
        for cond, v in out["frontend"].items():
            for g in ("all", "male", "female", "ami"):
                s = v["pooled"].get(g)
                if not s:
                    continue
                lines.append(
                    f"{cond:<22}{g:<8}{_f(s['talk_ratio'])}{_f(s.get('talk_ratio_own'))}"
                    f"{_f(s['speech_recall'], 7)}"
                    f"{_f(s['voicing_recall'])}{_f(s['gross_pitch_error'])}"
                    f"{_f(s.get('gross_pitch_error_own'))}"
                    f"{_f(s['pitch_up_gt_1_5x'])}{_f(s['pitch_down_lt_0_67x'])}"
                    f"{_f(s['median_f0_ratio_geo'])}{_f(s['syllable_rate_ratio'])}"
                )
    lines.append(f"wall time {out.get('wall_s')} s")
    return "\n".join(lines)


def _m(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.2f}"
    return str(v)


def _mark(v: Any, lo: float | None, hi: float | None) -> str:
    """``v`` in bold when it misses the target range."""
    if v is None:
        return "-"
    bad = (lo is not None and v < lo) or (hi is not None and v > hi)
    return f"**{_m(v)}**" if bad else _m(v)


def format_markdown(out: dict[str, Any]) -> str:
    """The same report as :func:`format_table` as Markdown tables (figures missing their issue-13
    target in bold), for docs/benchmarks.md."""
    lines: list[str] = []
    if "calls" in out:
        lines += [
            "| condition | yelling angry-strong (>= 0.95) | yelling calm/neutral (<= 0.02) "
            "| agent_tone angry (>= 0.85) | agent_tone calm/neutral (<= 0.05) "
            "| yelling happy-s / fearful-s | agent_tone happy-s / fearful-s "
            "| calm after angry: yelling / agent_tone (n) | baseline clips flagged: yelling / agent_tone "
            "| alerts per call | event overrun median / p90 s | events into other's turn / calm clip |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for cond, v in out["calls"].items():
            s = v["summary"]
            lines.append(
                f"| {cond} | {_mark(s['yelling_angry_strong'], 0.95, None)} "
                f"| {_mark(s['yelling_calm'], None, 0.02)} "
                f"| {_mark(s['agent_tone_angry'], 0.85, None)} "
                f"| {_mark(s['agent_tone_calm'], None, 0.05)} "
                f"| {_m(s['yelling_happy_strong'])} / {_m(s['yelling_fearful_strong'])} "
                f"| {_m(s['agent_tone_happy_strong'])} / {_m(s['agent_tone_fearful_strong'])} "
                f"| {_m(s['yelling_calm_after_angry'])} / {_m(s['agent_tone_calm_after_angry'])} "
                f"({s['calm_after_angry_n']}) "
                f"| {_m(s['baseline_yelling'])} / {_m(s['baseline_agent_tone'])} "
                f"| {_m(s['alerts_per_call'])} "
                f"| {_m(s.get('event_overrun_median_s'))} / {_m(s.get('event_overrun_p90_s'))} "
                f"| {_m(s.get('events_into_other_turn'))} / {_m(s.get('events_into_calm_clip'))} |"
            )
    if "calm" in out:
        lines += [
            "",
            "| calls / condition | calls | audio min | calm talk min | yelling | agent_tone "
            "| false alerts | per hour of calm talk | per hour of audio |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for g, s in out["calm"]["groups"].items():
            lines.append(
                f"| {g} | {s['calls']} | {_m(s['audio_min'])} | {_m(s['calm_talk_min'])} "
                f"| {s['yelling']} | {s['agent_tone']} | {s['false_alerts']} "
                f"| {_m(s['false_alerts_per_talk_h'])} | {_m(s['false_alerts_per_audio_h'])} |"
            )
    if "frontend" in out:
        lines += [
            "",
            "| condition | signals | talk time nb/clean (0.90-1.10) | in own turns | speech recall "
            "| voicing recall | gross pitch errors (<= 0.05) | in own turns | f0 > 1.5x / < 0.67x "
            "| f0 ratio (geo. mean) | syllable rate nb/clean (0.85-1.15) |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for cond, v in out["frontend"].items():
            for g in ("male", "female", "ami", "all"):
                s = v["pooled"].get(g)
                if not s:
                    continue
                lines.append(
                    f"| {cond} | {g} | {_mark(s['talk_ratio'], 0.9, 1.1)} "
                    f"| {_mark(s.get('talk_ratio_own'), 0.9, 1.1)} "
                    f"| {_m(s['speech_recall'])} | {_m(s['voicing_recall'])} "
                    f"| {_mark(s['gross_pitch_error'], None, 0.05)} "
                    f"| {_mark(s.get('gross_pitch_error_own'), None, 0.05)} "
                    f"| {_m(s['pitch_up_gt_1_5x'])} / {_m(s['pitch_down_lt_0_67x'])} "
                    f"| {_m(s['median_f0_ratio_geo'])} "
                    f"| {_mark(s['syllable_rate_ratio'], 0.85, 1.15)} |"
                )
    return "\n".join(lines)


def compare_table(old: dict[str, Any], new: dict[str, Any]) -> str:
    """Key figures of two runs side by side (``old -> new``), for measuring a change."""

    def pair(a: Any, b: Any) -> str:
        mark = "" if a == b else " *"
        return f"{_m(a)}->{_m(b)}{mark}"

    lines: list[str] = ["Changes (old->new, * differs)"]
    keys = (
        ("yelling_angry_strong", "yellAS"),
        ("yelling_calm", "yCalm"),
        ("agent_tone_angry", "tone"),
        ("agent_tone_calm", "tCalm"),
        ("agent_tone_calm_after_angry", "tCaA"),
        ("alerts_per_call", "al/call"),
        ("event_overrun_median_s", "overrun"),
        ("events_into_calm_clip", "intoCalm"),
    )
    for cond, v in new.get("calls", {}).items():
        o = old.get("calls", {}).get(cond)
        if not o:
            continue
        s, t = o["summary"], v["summary"]
        lines.append(
            f"calls {cond:<22}" + "  ".join(f"{lab} {pair(s.get(k), t.get(k))}" for k, lab in keys)
        )
    for g, v in new.get("calm", {}).get("groups", {}).items():
        o = old.get("calm", {}).get("groups", {}).get(g)
        if not o:
            continue
        lines.append(
            f"calm  {g:<28}"
            + "  ".join(
                f"{k} {pair(o.get(k), v.get(k))}"
                for k in ("yelling", "agent_tone", "false_alerts", "false_alerts_per_talk_h")
            )
        )
    for cond, v in new.get("frontend", {}).items():
        o = old.get("frontend", {}).get(cond)
        if not o:
            continue
        a, b = o["pooled"].get("all", {}), v["pooled"].get("all", {})
        lines.append(
            f"front {cond:<22}"
            + "  ".join(
                f"{k} {pair(a.get(k), b.get(k))}"
                for k in (
                    "talk_ratio",
                    "voicing_recall",
                    "gross_pitch_error",
                    "gross_pitch_error_own",
                    "syllable_rate_ratio",
                )
            )
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--conditions", default=None, help="comma list; default all (--quick: 3)")
    ap.add_argument("--quick", action="store_true", help=f"conditions {','.join(QUICK_CONDITIONS)}")
    ap.add_argument("--noisy", action="store_true", help=f"conditions {','.join(NOISY_CONDITIONS)}")
    ap.add_argument(
        "--recode-telephone",
        action="store_true",
        help="also run the real telephone calls through each narrowband condition (--heldout does)",
    )
    ap.add_argument(
        "--heldout",
        action="store_true",
        help=f"the held-out channels, never used to choose a setting: {','.join(HELDOUT_CONDITIONS)}",
    )
    ap.add_argument("--actors", default=None, help="comma list of RAVDESS actors, e.g. 1,2,11")
    ap.add_argument("--parts", default=",".join(PARTS), help="comma list of calls,calm,frontend")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument(
        "--baseline-clips", type=int, default=3, help="neutral/calm-normal clips opening a call"
    )
    ap.add_argument("--keep-calls", action="store_true", help="per-call events in the JSON")
    ap.add_argument("--json", default=None, help="write the full result here")
    ap.add_argument(
        "--disk-cache",
        type=Path,
        default=DEFAULT_DISK_CACHE,
        help="keep channel copies here between runs (default %(default)s)",
    )
    ap.add_argument("--no-disk-cache", action="store_true", help="simulate every channel afresh")
    ap.add_argument("--markdown", default=None, help="write the tables as Markdown here")
    ap.add_argument(
        "--compare", default=None, help="a saved --json run to print the changes against"
    )
    ap.add_argument(
        "--from-json", default=None, help="re-print (and --markdown) a saved result; no run"
    )
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="config override, e.g. noise.max_correction_db=0 (repeatable)",
    )
    args = ap.parse_args(argv)
    if args.conditions:
        conds = args.conditions.split(",")
    else:
        conds = (
            ["wideband", *HELDOUT_CONDITIONS]
            if args.heldout
            else list(NOISY_CONDITIONS)
            if args.noisy
            else list(QUICK_CONDITIONS)
            if args.quick
            else list(CONDITIONS)
        )
    actors = tuple(f"{int(a):02d}" for a in args.actors.split(",")) if args.actors else ACTORS
    parts = [p for p in args.parts.split(",") if p]
    bad = [p for p in parts if p not in PARTS]
    if bad:
        ap.error(f"unknown part(s) {bad}; choose from {', '.join(PARTS)}")
    if args.from_json:
        out = json.loads(Path(args.from_json).read_text())
    else:
        overrides = config_overrides(args.set, ap)
        out = evaluate(
            conds,
            actors=actors,
            parts=parts,
            config=AnalysisConfig.from_dict(overrides) if overrides else None,
            seed=args.seed,
            keep_calls=args.keep_calls,
            baseline_clips=args.baseline_clips,
            cache=(
                ChannelCache()
                if args.no_disk_cache
                else ChannelCache(args.disk_cache, memory=False)
            ),
            recode_telephone=args.heldout or args.recode_telephone,
        )
    print(format_table(out))
    if args.compare:
        print()
        print(compare_table(json.loads(Path(args.compare).read_text()), out))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1, default=_json_default))
    if args.markdown:
        Path(args.markdown).write_text(format_markdown(out) + "\n")
    return 0


def _json_default(o: Any) -> Any:
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, ClipSpan):
        return o.__dict__
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


if __name__ == "__main__":
    sys.exit(main())
