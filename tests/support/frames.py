"""Hand-built :class:`~calltone.models.tone.frames.PartyFrames` for baseline and detector tests:
frames with known levels on a line with a known noise estimate, without the front end."""

from __future__ import annotations

from typing import Any

import numpy as np

from calltone.models.tone.baseline import BaselineSnapshot
from calltone.models.tone.frames import PartyFrames


def line_frames(
    levels_dbfs: np.ndarray,
    noise_dbfs: float,
    *,
    start: int = 0,
    speech: bool = True,
    tilt_db: float = -12.0,
    pitch_st: float | np.ndarray = 5.0,
) -> PartyFrames:
    """Voiced speech frames at ``levels_dbfs`` (shape ``(n,)``; the level as heard and the
    voice's own level alike: noise compensation is not what is under test) on a line whose
    noise estimate is ``noise_dbfs``; ``speech`` False: frames of the line's noise alone.
    Pitch ``pitch_st`` (st re 100 Hz: one value, or one per frame), HNR 10 dB, tilt
    ``tilt_db``."""
    lo = np.asarray(levels_dbfs, np.float32)
    n = lo.size
    on = np.full(n, speech)
    return PartyFrames(
        start,
        loudness_dbfs=lo,
        pitch_st=np.broadcast_to(np.asarray(pitch_st, np.float64), (n,)).copy(),
        voiced=on,
        speech=on,
        nucleus=np.zeros(n, bool),
        tilt_db=np.full(n, tilt_db),
        hnr_db=np.full(n, 10.0),
        voice_loudness_dbfs=lo,
        noise_dbfs=np.full(n, noise_dbfs, np.float32),
    )


def settled_snapshot(level_dbfs: float, pitch_st: float, **fields: Any) -> BaselineSnapshot:
    """A settled speaker baseline at ``level_dbfs`` and ``pitch_st`` with a plain voice's
    spread, rate and tilt (2 st, 4 syllables/s, -12 dB) on 20 s voiced; ``fields`` override
    or add any other :class:`BaselineSnapshot` field (``hnr_db``, ``own_voiced_s``, ...)."""
    base: dict[str, Any] = {
        "loudness_dbfs": level_dbfs,
        "pitch_st": pitch_st,
        "pitch_spread_st": 2.0,
        "syllable_rate_per_s": 4.0,
        "tilt_db": -12.0,
        "voiced_s": 20.0,
        "settled": True,
    }
    base.update(fields)
    return BaselineSnapshot(**base)


def own_speech_snapshot(level_dbfs: float, pitch_st: float, **fields: Any) -> BaselineSnapshot:
    """:func:`settled_snapshot` learnt from the speaker's own speech: HNR 10 dB, the speech
    level at ``level_dbfs``, 20 s voiced of 30 s of speech; ``fields`` override or add."""
    own: dict[str, Any] = {
        "hnr_db": 10.0,
        "speech_leq_dbfs": level_dbfs,
        "own_voiced_s": 20.0,
        "own_speech_s": 30.0,
    }
    return settled_snapshot(level_dbfs, pitch_st, **(own | fields))


def steady_speech(
    n: int,
    *,
    base_dbfs: float,
    base_st: float,
    db_over: float,
    st_over: float,
    voiced_every: int = 1,
) -> PartyFrames:
    """``n`` frames of speech ``db_over`` a baseline at ``base_dbfs`` / ``base_st``, its voiced
    frames (every ``voiced_every``-th) ``st_over`` its pitch; tilt -11 dB and HNR 10 dB (a
    baseline's), a syllable nucleus every 0.5 s, the line's noise 3 dB under the baseline."""
    voiced = np.arange(n) % voiced_every == 0
    return PartyFrames(
        0,
        loudness_dbfs=np.full(n, base_dbfs + db_over, np.float32),
        pitch_st=np.where(voiced, base_st + st_over, np.nan),
        voiced=voiced,
        speech=np.ones(n, bool),
        nucleus=np.arange(n) % 50 == 25,
        tilt_db=np.full(n, -11.0, np.float32),
        hnr_db=np.full(n, 10.0, np.float32),
        noise_dbfs=np.full(n, base_dbfs - 3.0, np.float32),
    )


#: agent_tone's own score bar and its rules all off (on by default since session 19): the
#: session-start judgement against ``min_score``, or a base to switch one rule on alone:
#: ``AgentToneConfig(**(OWN_BAR_OFF | {...}))``.
OWN_BAR_OFF: dict[str, float] = {
    "own_score_quantile": 0.0,
    "own_score_min_turns": 0,
    "own_score_floor_calm_quantile": 0.0,
    "own_score_floor_min_db": 0.0,
    "own_score_floor_min_st": 0.0,
    "own_score_floor_either": 0,
    "own_score_step_hold_db": 0.0,
}


def agent_tone_events(
    frames: PartyFrames, baseline: BaselineSnapshot, config: Any, *, hop_s: float = 0.01
) -> list[Any]:
    """The agent's tone events on ``frames`` (one push, then finish) against a fixed
    ``baseline`` with an ``AgentToneConfig``."""
    from calltone.models.tone.detectors import AgentToneDetector
    from calltone.models.tone.frames import CallFrames, TimeFn

    det = AgentToneDetector(config, speaker="agent", hop_s=hop_s)
    time_of = TimeFn(hop_s, 0.032)
    step = det.push(CallFrames(0, {"agent": frames}, time_of), {"agent": baseline})
    return [*step.events, *det.finish(len(frames), time_of, {"agent": baseline})]


def agent_tone_trace(
    frames: PartyFrames,
    baseline: BaselineSnapshot,
    config: Any,
    sizes: list[int],
    *,
    hop_s: float = 0.01,
) -> list[Any]:
    """The agent_tone detector's per-evaluation trace (``AgentToneDetector.trace``) on
    ``frames`` pushed in blocks of ``sizes`` frames against a fixed ``baseline``: what a
    window reads must not depend on how the stream was cut."""
    from calltone.models.tone.detectors import AgentToneDetector
    from calltone.models.tone.frames import CallFrames, TimeFn

    det = AgentToneDetector(config, speaker="agent", hop_s=hop_s)
    det.trace = []
    time_of = TimeFn(hop_s, 0.032)
    at = 0
    for n in sizes:
        det.push(CallFrames(at, {"agent": frames.slice(at, at + n)}, time_of), {"agent": baseline})
        at += n
    return list(det.trace)


#: The yelling gate as before session 17 (the speaker's range off; on by default since), for
#: tests that switch on only what they are about: ``YellingConfig(**(YELLING_RANGE_OFF | cfg))``.
YELLING_RANGE_OFF: dict[str, float] = {
    "range_db_over_upper": 0.0,
    "range_effort_exempt": 0,
    "range_local_median": 0,
}
#: The baseline's long-memory range statistic (the local range off, as before session 17).
LONG_MEMORY_RANGE: dict[str, float] = {"range_local_voiced_s": 0.0, "range_min_voiced_s": 5.0}


def phrase_frames(
    level_dbfs: float,
    pitch_st: float,
    *,
    seconds: float = 1.5,
    tilt_db: float = -12.0,
    noise_dbfs: float = -90.0,
    hop_s: float = 0.01,
) -> PartyFrames:
    """0.5 s of silence, ``seconds`` of voiced speech at ``level_dbfs`` and ``pitch_st`` (tilt
    ``tilt_db``: -12 dB is a calm voice's, no effort exemption; HNR 15 dB), then 1 s of
    silence, on a line whose noise estimate is ``noise_dbfs``."""
    n_pre, n_on, n_post = round(0.5 / hop_s), round(seconds / hop_s), round(1.0 / hop_s)
    n = n_pre + n_on + n_post
    on = np.zeros(n, bool)
    on[n_pre : n_pre + n_on] = True
    lo = np.where(on, level_dbfs, -95.0).astype(np.float32)
    return PartyFrames(
        0,
        loudness_dbfs=lo,
        pitch_st=np.where(on, pitch_st, np.nan),
        voiced=on,
        speech=on.copy(),
        nucleus=np.zeros(n, bool),
        tilt_db=np.full(n, tilt_db),
        hnr_db=np.full(n, 15.0),
        voice_loudness_dbfs=lo,
        noise_dbfs=np.full(n, noise_dbfs, np.float32),
    )


def open_yelling_events(
    frames: PartyFrames, baseline: BaselineSnapshot, config: Any, *, hop_s: float = 0.01
) -> list[Any]:
    """The customer's yelling events as opened on ``frames`` (one push, then finish) against
    a fixed ``baseline`` with a ``YellingConfig``."""
    from calltone.models.tone.detectors import YellingDetector
    from calltone.models.tone.frames import CallFrames, TimeFn

    det = YellingDetector(config, speaker="customer", hop_s=hop_s)
    time_of = TimeFn(hop_s, 0.0)
    snaps = {"customer": baseline}
    ups = det.push(CallFrames(0, {"customer": frames}, time_of), snaps).events
    ups += det.finish(len(frames), time_of, snaps)
    return [e for e in ups if e.kind == "yelling" and e.is_open]
