"""The top of a speaker's own range read around the local median
(``BaselineConfig.range_local_voiced_s``; issue 13 item 3, session 17).

A line whose level steps (a gain change the tracker reads late or never) leaves the speaker's
voiced-level histogram holding two levels, and the long-memory range (its 97th percentile over
its median) then spans both: a shout after the step is judged against a range as wide as the
step. Read against a centred running median of the speaker's own voiced levels, each frame
stands against its own level, so the second level adds nothing. Frames with known levels,
learnt by a real :class:`SpeakerBaseline` (no gain tracker: the step is never read), then
judged by the yelling detector. Known answers from the level distributions fed in (uniform
levels over ``span``: the 97th percentile less the median is 0.47 ``span``), not fitted on
any recording.
"""

from __future__ import annotations

import numpy as np
import pytest

from calltone.models.tone.baseline import BaselineSnapshot, SpeakerBaseline
from calltone.models.tone.config import AnalysisConfig, BaselineConfig, YellingConfig
from calltone.models.tone.frames import PartyFrames
from calltone.models.tone.stream import CallAnalyzer
from tests.support.frames import (
    LONG_MEMORY_RANGE,
    YELLING_RANGE_OFF,
    line_frames,
    open_yelling_events,
    phrase_frames,
)
from tests.support.synth import SR, silence, stream_call, voiced

HOP_S = 0.01
NOISE_DBFS = -90.0
CALM_ST = 8.0
MEDIAN_DBFS = -30.0
LOCAL = BaselineConfig(range_local_voiced_s=4.0, range_min_voiced_s=2.0)
RANGE = {"range_db_over_upper": 3.0}
LONG_MEMORY = BaselineConfig(**LONG_MEMORY_RANGE)


def _learn(
    b: SpeakerBaseline, segments: list[tuple[float, float, float]], seed: int = 7
) -> list[float]:
    """Feed ``(seconds, median_dbfs, span_db)`` segments of calm voiced speech (levels even
    over the span, shuffled) in 0.5 s ticks; returns the range read at each second's end."""
    rng = np.random.default_rng(seed)
    levels = np.concatenate(
        [
            med + rng.permutation(np.linspace(-span / 2, span / 2, round(sec / HOP_S)))
            for sec, med, span in segments
        ]
    )
    ranges = []
    for i in range(0, levels.size, 50):
        f = line_frames(levels[i : i + 50], NOISE_DBFS, start=i, pitch_st=CALM_ST)
        b.update(f, np.zeros(len(f), bool))
        if (i + 50) % 100 == 0:
            assert b.snapshot.loudness_upper_db is not None
            ranges.append(b.snapshot.loudness_upper_db)
    return ranges


def _phrase(level_dbfs: float, st_over: float, seconds: float = 1.5) -> PartyFrames:
    return phrase_frames(level_dbfs, CALM_ST + st_over, seconds=seconds, noise_dbfs=NOISE_DBFS)


def _yelling(frames: PartyFrames, snap: BaselineSnapshot, **cfg: float) -> list:
    return open_yelling_events(frames, snap, YellingConfig(**(YELLING_RANGE_OFF | cfg)))  # type: ignore[arg-type]


@pytest.mark.parametrize("span_db", [12.0, 20.0])
def test_on_a_steady_line_the_local_range_is_the_speakers_range(span_db: float) -> None:
    ranges = _learn(SpeakerBaseline(LOCAL, hop_s=HOP_S), [(30.0, MEDIAN_DBFS, span_db)])
    # Once the prior has left (the long-memory statistic stands in at first), 0.47 x span.
    assert ranges[2:] == pytest.approx([0.47 * span_db] * (len(ranges) - 2), abs=0.6)


@pytest.mark.parametrize("step_db", [10.0, -12.0])
def test_a_second_level_after_a_step_does_not_widen_the_range(step_db: float) -> None:
    segments = [(20.0, MEDIAN_DBFS, 12.0), (40.0, MEDIAN_DBFS + step_db, 12.0)]
    local = _learn(SpeakerBaseline(LOCAL, hop_s=HOP_S), segments)
    whole = _learn(SpeakerBaseline(LONG_MEMORY, hop_s=HOP_S), segments)
    # The speaker's range is 0.47 x 12 = 5.64 dB on either side of the step. The frames of
    # the last half window (2 s) are read against the window as far as it reaches, so for
    # those 2 s after the step a few of them stand against both levels; once they have half a
    # window after them, against their own.
    assert max(local[2:]) <= 5.64 + 1.5
    assert local[2:20] == pytest.approx([5.64] * 18, abs=0.7)
    assert local[23:] == pytest.approx([5.64] * (len(local) - 23), abs=0.7)
    # The long-memory histogram holds both levels: its range reads the step.
    assert max(whole[20:]) >= 5.64 + 0.6 * abs(step_db)


def test_a_shout_after_an_unread_step_down_is_yelling_against_the_local_range() -> None:
    segments = [(20.0, MEDIAN_DBFS, 12.0), (40.0, MEDIAN_DBFS - 12.0, 12.0)]
    local = SpeakerBaseline(LOCAL, hop_s=HOP_S)
    whole = SpeakerBaseline(LONG_MEMORY, hop_s=HOP_S)
    _learn(local, segments)
    _learn(whole, segments)
    # Both medians have moved most of the way to the quieter line (two thirds of what they
    # hold): the same median, only the range differs.
    assert local.snapshot.loudness_dbfs == whole.snapshot.loudness_dbfs < MEDIAN_DBFS - 6.0
    shout = _phrase(local.snapshot.loudness_dbfs + 13.0, 5.0)
    assert len(_yelling(shout, local.snapshot, **RANGE)) == 1
    # Against the long-memory range (both levels) the same shout is lost.
    assert _yelling(shout, whole.snapshot, **RANGE) == []


def test_a_lively_speaker_is_not_yelling_for_an_animated_sentence_but_is_for_a_shout() -> None:
    b = SpeakerBaseline(LOCAL, hop_s=HOP_S)
    _learn(b, [(30.0, MEDIAN_DBFS, 20.0)])  # range 9.4 dB: the gate at 12.4 dB
    snap = b.snapshot
    assert snap.loudness_upper_db == pytest.approx(9.4, abs=0.6)
    animated = _phrase(snap.loudness_dbfs + 11.5, 5.0)
    assert len(_yelling(animated, snap)) == 1  # the median's 10 dB alone flags it
    assert _yelling(animated, snap, **RANGE) == []
    shout = _phrase(snap.loudness_dbfs + 18.0, 6.0)
    assert len(_yelling(shout, snap, **RANGE)) == 1


#: Every voiced frame is the speaker's own here: none left out as another voice under them.
WHOLE_RANGE = BaselineConfig(
    range_local_voiced_s=4.0, range_min_voiced_s=2.0, dominant_range_db=40.0
)


def test_on_by_default_and_the_local_median_is_where_the_voice_stands_now() -> None:
    # On since session 17, as one set with the yelling range rule.
    assert BaselineConfig().range_local_voiced_s == 4.0
    assert BaselineConfig().range_min_voiced_s == 2.0
    assert YellingConfig().range_local_median == 1
    segments = [(20.0, MEDIAN_DBFS, 12.0), (10.0, MEDIAN_DBFS - 12.0, 12.0)]
    off = SpeakerBaseline(BaselineConfig(range_local_voiced_s=0.0), hop_s=HOP_S)
    _learn(off, segments)
    assert off.snapshot.loudness_local_dbfs is None
    local = SpeakerBaseline(WHOLE_RANGE, hop_s=HOP_S)
    _learn(local, segments)
    # The last 4 s of voiced speech lie at -42 dBFS; the long-memory median still between.
    assert local.snapshot.loudness_local_dbfs == pytest.approx(MEDIAN_DBFS - 12.0, abs=0.5)
    assert local.snapshot.loudness_dbfs > MEDIAN_DBFS - 12.0 + 4.0


def test_the_range_from_the_local_median_when_the_median_stands_over_it() -> None:
    """After an unread step down the long-memory median stands over the voice: with
    ``range_local_median`` the range's gate is measured from where the voice stands now, so a
    shout the median's own 10 dB flag is not lost to the range on top of a median too high."""
    segments = [(20.0, MEDIAN_DBFS, 20.0), (10.0, MEDIAN_DBFS - 12.0, 20.0)]
    b = SpeakerBaseline(WHOLE_RANGE, hop_s=HOP_S)
    _learn(b, segments)
    snap = b.snapshot
    assert snap.loudness_local_dbfs is not None and snap.loudness_upper_db is not None
    gap = snap.loudness_dbfs - snap.loudness_local_dbfs
    assert gap > 5.0
    assert snap.loudness_upper_db == pytest.approx(9.4, abs=0.7)  # 0.47 x 20 dB
    shout = _phrase(snap.loudness_dbfs + 11.0, 5.0)  # 11 dB over the median, 16+ over the voice
    assert len(_yelling(shout, snap)) == 1
    assert _yelling(shout, snap, **RANGE) == []  # 11 < 9.4 + 3 over the median
    assert len(_yelling(shout, snap, **RANGE, range_local_median=1)) == 1
    # Never under the median's own 10 dB.
    assert (
        _yelling(_phrase(snap.loudness_dbfs + 8.0, 5.0), snap, **RANGE, range_local_median=1) == []
    )


def _step_call(step_db: float, shout_at_s: float) -> np.ndarray:
    """Through the whole stream: the customer talks in 1.6 s phrases every 2 s from 0.5 s to
    80 s at -26 dBFS (120 Hz, alternate phrases 2 st higher), the line ``step_db`` off from 30 s
    on; at ``shout_at_s`` 3 s of shouting 12 dB over the calm voice on the line as it then is,
    6 st higher; the agent answers 2 s every 10 s (-28 dBFS, 220 Hz, the same step)."""
    dur_s, step_at_s = 85.0, 30.0
    a, c = silence(dur_s, seed=11), silence(dur_s, seed=12)
    for k, at_s in enumerate(np.arange(0.5, 80.0, 2.0)):
        if shout_at_s - 2.0 < at_s < shout_at_s + 3.0:
            continue
        f0 = 120.0 * (2 ** (2 / 12) if k % 2 else 1.0)
        gain = step_db if at_s >= step_at_s else 0.0
        sig = voiced(f0, 1.6, -26.0 + gain, seed=20 + k)
        c[int(at_s * SR) : int(at_s * SR) + sig.size] += sig
    sig = voiced(120.0 * 2 ** (6 / 12), 3.0, -26.0 + step_db + 12.0, seed=7)
    c[int(shout_at_s * SR) : int(shout_at_s * SR) + sig.size] += sig
    for k, at_s in enumerate(np.arange(5.0, 80.0, 10.0)):
        sig = voiced(220.0, 2.0, -28.0 + (step_db if at_s >= step_at_s else 0.0), seed=60 + k)
        a[int(at_s * SR) : int(at_s * SR) + sig.size] += sig
    return np.stack([a, c])


def test_a_shout_after_a_step_down_the_tracker_reads_is_yelling_through_the_stream() -> None:
    """The shout 15 s after a -12 dB step (read by the gain tracker: the shift is an estimate and
    the frames waiting to be learnt land at the old level; against the long-memory range it was
    missed in session 16, test_gain_step_down): against the range read around the local median
    it is yelling, and nothing before it is."""
    x = _step_call(-12.0, shout_at_s=45.0)

    def starts(**baseline: float) -> list[float]:
        cfg = AnalysisConfig.from_dict(
            {
                "baseline": {"gain_shift_down_min_db": 6.0, **baseline},
                "yelling": {
                    "range_db_over_upper": 3.0,
                    "range_effort_exempt": 1,
                    "range_local_median": 1,
                },
            }
        )
        an: CallAnalyzer = stream_call(x, cfg)
        return [e.start_s for e in an.events if e.kind == "yelling" and e.speaker == "customer"]

    local = starts(range_local_voiced_s=4.0, range_min_voiced_s=2.0)
    assert any(44.0 <= s <= 48.0 for s in local), local
    assert [s for s in local if s < 44.0] == []
