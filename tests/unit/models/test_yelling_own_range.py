"""Yelling judged against the top of a speaker's own range (``YellingConfig.range_db_over_upper``,
``BaselineSnapshot.loudness_upper_db``; issue 13 item 3, session 16).

Frames with known levels, learnt by a real :class:`SpeakerBaseline`, then judged by the yelling
detector against its snapshot: a lively speaker whose calm speech spans 20 dB does not "yell" at
+12 dB over their median (inside the top of their range), while a step well beyond their range
does; a speaker whose calm speech spans a narrow range is judged as before. Known answers from
the level distributions fed in (uniform levels: the 97th percentile of U(a, b) is
a + 0.97 (b - a)), not fitted on any recording.
"""

from __future__ import annotations

import numpy as np
import pytest

from calltone.models.tone.baseline import BaselineSnapshot, SpeakerBaseline
from calltone.models.tone.config import BaselineConfig, YellingConfig
from calltone.models.tone.detectors import YellingDetector
from calltone.models.tone.frames import CallFrames, PartyFrames, TimeFn
from tests.support.frames import (
    LONG_MEMORY_RANGE,
    YELLING_RANGE_OFF,
    line_frames,
    open_yelling_events,
    phrase_frames,
    settled_snapshot,
)

HOP_S = 0.01
NOISE_DBFS = -90.0
CALM_ST = 8.0  # 159 Hz
MEDIAN_DBFS = -30.0


LONG_MEMORY = BaselineConfig(**LONG_MEMORY_RANGE)


def _learnt(span_db: float, seconds: float = 12.0) -> BaselineSnapshot:
    """A baseline that learnt ``seconds`` of calm voiced speech whose levels spread evenly over
    ``span_db`` around -30 dBFS (shuffled, so each tick sees the whole range)."""
    n = round(seconds / HOP_S)
    levels = MEDIAN_DBFS + np.linspace(-span_db / 2, span_db / 2, n)
    levels = np.random.default_rng(7).permutation(levels)
    b = SpeakerBaseline(LONG_MEMORY, hop_s=HOP_S)
    tick = 50
    for i in range(0, n, tick):
        f = line_frames(levels[i : i + tick], NOISE_DBFS, start=i, pitch_st=CALM_ST)
        b.update(f, np.zeros(len(f), bool))
    return b.snapshot


def _phrase(db_over: float, st_over: float, *, seconds: float = 1.5, tilt_db: float = -12.0):
    """Silence, then ``seconds`` of voiced speech ``db_over`` the median and ``st_over`` the
    calm pitch, then silence."""
    return phrase_frames(
        MEDIAN_DBFS + db_over,
        CALM_ST + st_over,
        seconds=seconds,
        tilt_db=tilt_db,
        noise_dbfs=NOISE_DBFS,
    )


def _yelling(frames: PartyFrames, snap: BaselineSnapshot, **cfg: float) -> list:
    return open_yelling_events(frames, snap, YellingConfig(**(YELLING_RANGE_OFF | cfg)))  # type: ignore[arg-type]


@pytest.mark.parametrize(("span_db", "upper_db"), [(20.0, 9.4), (4.0, 1.88), (12.0, 5.64)])
def test_the_baseline_learns_the_top_of_the_speakers_range(span_db: float, upper_db: float) -> None:
    snap = _learnt(span_db)
    assert snap.loudness_dbfs == pytest.approx(MEDIAN_DBFS, abs=0.2)
    # The 97th percentile of the even spread, over its median.
    assert snap.loudness_upper_db == pytest.approx(upper_db, abs=0.3)


def test_before_the_speakers_own_voice_the_range_is_the_priors_spread_at_the_quantile() -> None:
    b = SpeakerBaseline(LONG_MEMORY, hop_s=HOP_S)
    # 4 dB prior spread read at the 97th percentile of a normal distribution (z = 1.881).
    assert b.snapshot.loudness_upper_db == pytest.approx(4.0 * 1.881, abs=0.01)
    prof = settled_snapshot(-25.0, 9.0, loudness_spread_db=6.0)
    assert prof.loudness_upper_db is None  # a hand-built or saved profile carries none
    b = SpeakerBaseline(LONG_MEMORY, hop_s=HOP_S, profile=prof)
    assert b.snapshot.loudness_upper_db == pytest.approx(6.0 * 1.881, abs=0.01)


def test_a_lively_speaker_at_the_top_of_their_range_is_not_yelling() -> None:
    lively = _learnt(20.0)  # upper 9.4 dB: the gate at 9.4 + 4 = 13.4 dB
    phrase = _phrase(12.0, 5.0)
    # As before (off): +12 dB and +5 st for 1.5 s is yelling against the median.
    assert len(_yelling(phrase, lively)) == 1
    assert _yelling(phrase, lively, range_db_over_upper=4.0) == []


def test_a_step_well_beyond_the_speakers_range_is_still_yelling() -> None:
    lively = _learnt(20.0)
    ev = _yelling(_phrase(20.0, 6.0), lively, range_db_over_upper=4.0)
    assert len(ev) == 1
    assert ev[0].start_s == pytest.approx(0.5, abs=0.02)
    assert ev[0].evidence["range_db_over_baseline"] == pytest.approx(13.4, abs=0.35)
    assert ev[0].thresholds["range_db_over_upper"] == 4.0


def test_a_speaker_with_a_narrow_range_is_judged_as_before() -> None:
    narrow = _learnt(4.0)  # upper 1.9 dB: 1.9 + 4 under the 10 dB threshold
    phrase = _phrase(11.0, 4.0)
    assert len(_yelling(phrase, narrow, range_db_over_upper=4.0)) == 1
    assert len(_yelling(phrase, narrow)) == 1
    # Still not yelling under the median's 10 dB.
    assert _yelling(_phrase(9.0, 4.0), narrow, range_db_over_upper=4.0) == []


def test_absolute_vocal_effort_exempts_a_frame_from_the_range_when_asked() -> None:
    lively = _learnt(20.0)
    effortful = _phrase(12.0, 5.0, tilt_db=-7.0)  # over cold_start_min_tilt_db (-9.5 dB)
    assert _yelling(effortful, lively, range_db_over_upper=4.0) == []
    assert len(_yelling(effortful, lively, range_db_over_upper=4.0, range_effort_exempt=1)) == 1
    # A calm voice's tilt gets no exemption.
    assert (
        _yelling(_phrase(12.0, 5.0), lively, range_db_over_upper=4.0, range_effort_exempt=1) == []
    )


def test_the_range_waits_for_enough_of_the_speakers_own_voice_when_asked() -> None:
    young = _learnt(20.0, seconds=3.0)
    assert young.own_s == pytest.approx(3.0, abs=0.01)
    phrase = _phrase(12.0, 5.0)
    assert _yelling(phrase, young, range_db_over_upper=4.0) == []
    assert len(_yelling(phrase, young, range_db_over_upper=4.0, range_min_own_voiced_s=5.0)) == 1


def test_off_no_range_in_the_thresholds_or_evidence() -> None:
    ev = _yelling(_phrase(20.0, 6.0), _learnt(20.0), range_db_over_upper=0.0)
    assert len(ev) == 1
    assert "range_db_over_baseline" not in ev[0].evidence
    assert not any(k.startswith("range_") for k in ev[0].thresholds)
    # On by default since session 17 (3 dB, with the effort exemption).
    assert YellingConfig().range_db_over_upper == 3.0
    assert YellingConfig().range_effort_exempt == 1


def test_the_range_decides_yelling_not_what_the_baseline_learns() -> None:
    """Frames loud and high against the median stay out of the baseline (flagged) whether or
    not they are past the top of the speaker's range: the gate changes the judgement only."""
    lively = _learnt(20.0)
    phrase = _phrase(12.0, 5.0)
    masks = []
    for m in (0.0, 4.0):
        det = YellingDetector(
            YellingConfig(**(YELLING_RANGE_OFF | {"range_db_over_upper": m})),  # type: ignore[arg-type]
            speaker="customer",
            hop_s=HOP_S,
        )
        step = det.push(
            CallFrames(0, {"customer": phrase}, TimeFn(HOP_S, 0.0)), {"customer": lively}
        )
        assert step.flagged is not None
        masks.append(step.flagged)
    assert masks[0][50:200].all()
    np.testing.assert_array_equal(masks[0], masks[1])
