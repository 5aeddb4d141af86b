"""The speaker baseline withholds, while young, frames far over what has been heard of the
speaker (``BaselineConfig.young_exclude_above_db``; frames whose answers are known by
construction)."""

from __future__ import annotations

import numpy as np
import pytest

from calltone.models.tone.baseline import SpeakerBaseline
from calltone.models.tone.config import BaselineConfig
from calltone.models.tone.frames import PartyFrames

HOP_S = 0.01


def _feed(b: SpeakerBaseline, loudness_dbfs: np.ndarray) -> None:
    n = loudness_dbfs.size
    on = np.ones(n, bool)
    b.update(
        PartyFrames(
            0,
            loudness_dbfs=loudness_dbfs.astype(np.float32),
            pitch_st=np.full(n, 5.0),
            voiced=on,
            speech=on,
            nucleus=np.zeros(n, bool),
            tilt_db=np.full(n, -15.0),
            hnr_db=np.full(n, 20.0),
        ),
        flagged=np.zeros(n, bool),
    )


# ``BaselineConfig.young_exclude_above_db``: frames far over what has been heard, withheld
# while the level does not yet rest on the speaker's own voice. Known answers: 1 s of speech
# frames at -45 dBFS (young: under 2 s voiced), then 0.5 s at -20 dBFS (25 dB over the heard
# median). Off, the shout is learnt: the speech level is the energy mean of the two blended
# with the -30 dBFS prior; on at 20 dB it is withheld and the level is the calm frames' blend.
def _young_feed(cfg: BaselineConfig) -> SpeakerBaseline:
    b = SpeakerBaseline(cfg, hop_s=HOP_S)
    _feed(b, np.full(100, -45.0))
    _feed(b, np.full(50, -20.0))
    return b


def test_young_exclusion_is_off_by_default_and_off_learns_the_shout() -> None:
    assert BaselineConfig().young_exclude_above_db == 0.0
    b = _young_feed(BaselineConfig(memory_voiced_s=0.0))
    assert b.own_speech_s == pytest.approx(1.5)


def test_young_exclusion_withholds_the_first_shout() -> None:
    cfg = BaselineConfig(memory_voiced_s=0.0, young_exclude_above_db=20.0)
    b = _young_feed(cfg)
    assert b.own_speech_s == pytest.approx(1.0)  # the shout's 0.5 s not learnt
    off = _young_feed(BaselineConfig(memory_voiced_s=0.0))
    assert b.snapshot.speech_level_dbfs < off.snapshot.speech_level_dbfs - 10.0


def test_young_exclusion_keeps_a_moderate_rise_and_needs_speech_heard_first() -> None:
    cfg = BaselineConfig(memory_voiced_s=0.0, young_exclude_above_db=20.0)
    b = SpeakerBaseline(cfg, hop_s=HOP_S)
    _feed(b, np.full(100, -45.0))
    _feed(b, np.full(50, -30.0))  # 15 dB over the heard median: learnt
    assert b.own_speech_s == pytest.approx(1.5)
    first = SpeakerBaseline(cfg, hop_s=HOP_S)
    _feed(first, np.full(30, -20.0))  # nothing heard before it (under 0.5 s): learnt
    assert first.own_speech_s == pytest.approx(0.3)


def test_young_exclusion_ends_once_the_level_rests_on_the_own_voice() -> None:
    cfg = BaselineConfig(memory_voiced_s=0.0, young_exclude_above_db=20.0, exclude_above_db=30.0)
    b = SpeakerBaseline(cfg, hop_s=HOP_S)
    _feed(b, np.full(250, -45.0))  # 2.5 s voiced: own level
    _feed(b, np.full(50, -20.0))  # 25 dB over: learnt (exclude_above_db 30 rules now)
    assert b.own_speech_s == pytest.approx(3.0)
