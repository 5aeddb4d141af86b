"""The baseline's start on a line whose noise buries the speaker's calm voice.

Frames with known levels and a known line noise (``PartyFrames.noise_dbfs``): when the
speaker's voiced frames heard so far sit just over the noise (3-9 dB: the speech gate's relaxed
and strict margins) and the noise has been measured for a whole window (8 s), the -30 dBFS
prior does not hold the level baseline over what was heard; on a clean line, with no noise
known or known only briefly, or with "voiced" frames at the noise's own level, the baseline
starts as before. Through the real front end: a shout over a calm voice the noise buries is
yelling as on the clean copy, and a far voice heard before the noise estimate has its window
does not become the level the party's first words are judged against.
"""

from __future__ import annotations

import numpy as np
import pytest

from calltone.audio.channels import ChannelRoles
from calltone.audio.decode import DecodedAudio
from calltone.models.recorded.analysis import run_session
from calltone.models.tone.baseline import SpeakerBaseline
from calltone.models.tone.config import AnalysisConfig, BaselineConfig
from calltone.models.tone.frames import PartyFrames
from calltone.models.tone.noise import NO_NOISE_DBFS
from tests.support.frames import line_frames
from tests.support.synth import pink_noise, voiced

HOP_S = 0.01


def frames(
    level_dbfs: float, noise_dbfs: float, n: int = 40, *, start: int = 0, speech: bool = True
) -> PartyFrames:
    """``n`` voiced speech frames (``speech`` False: frames of the line's noise alone) at
    ``level_dbfs`` as heard on a line whose noise estimate is ``noise_dbfs`` (the voice's own
    level is the level as heard here: the compensation is not what is under test)."""
    return line_frames(
        np.full(n, level_dbfs), noise_dbfs, start=start, speech=speech, tilt_db=-15.0
    )


def start(
    level_dbfs: float,
    noise_dbfs: float,
    config: BaselineConfig | None = None,
    *,
    noise_s: float = 10.0,
) -> float:
    """The level baseline after ``noise_s`` of the line's noise alone and then 0.4 s of voiced
    speech (the prior, worth 1 s, still in force)."""
    b = SpeakerBaseline(config or BaselineConfig(), hop_s=HOP_S)
    n0 = round(noise_s / HOP_S)
    if n0:
        b.update(frames(noise_dbfs, noise_dbfs, n0, speech=False), np.zeros(n0, bool))
    b.update(frames(level_dbfs, noise_dbfs, start=n0), np.zeros(40, bool))
    assert b.own_voiced_s == pytest.approx(0.4)
    return b.snapshot.loudness_dbfs


def blend(level_dbfs: float) -> float:
    """The prior (-30 dBFS, worth 1 s) blended with 0.4 s at ``level_dbfs``."""
    return (1.0 * -30.0 + 0.4 * level_dbfs) / 1.4


@pytest.mark.parametrize("over_db", [3.5, 6.0, 8.5])
def test_a_voice_heard_just_over_the_noise_is_the_baselines_start(over_db: float) -> None:
    # Noise at -60 dBFS, the only voiced frames heard 3.5-8.5 dB over it: a calm voice at
    # -30 dBFS would stand 30 dB over this noise and be heard throughout, so the prior is not
    # a calm level this line can have; the baseline is what was heard.
    level = -60.0 + over_db
    assert start(level, -60.0) == pytest.approx(level, abs=0.06)


def test_on_a_clean_line_the_prior_still_weighs_in() -> None:
    # The same quiet voice 25 dB over the noise, or with no noise known: the prior blend as
    # before (the cold start's "what has been heard is too little" protection).
    assert start(-55.0, -80.0) == pytest.approx(blend(-55.0), abs=0.06)
    assert start(-55.0, NO_NOISE_DBFS) == pytest.approx(blend(-55.0), abs=0.06)


def test_a_noise_level_measured_for_less_than_its_window_is_not_trusted() -> None:
    # The same voice after 3 s of noise: the minimum-statistics estimate (8 s window) may still
    # fall (a far voice in a meeting room read as "just over the noise" while the estimate
    # was settling), so the prior blend stands as before.
    assert start(-54.0, -60.0, noise_s=3.0) == pytest.approx(blend(-54.0), abs=0.06)
    assert start(-54.0, -60.0, noise_s=8.0) == pytest.approx(-54.0, abs=0.06)


def test_voiced_frames_at_the_noises_own_level_are_not_a_voice() -> None:
    # "Voiced" frames 1 dB over the noise: the pitch tracker on the noise itself, not a voice.
    assert start(-59.0, -60.0) == pytest.approx(blend(-59.0), abs=0.06)


def test_a_voice_louder_than_the_prior_is_blended_as_before() -> None:
    # A loud line (-20 dBFS voice, noise 6 dB under it): the prior is only ever lowered to
    # what was heard, never raised.
    assert start(-20.0, -26.0) == pytest.approx(blend(-20.0), abs=0.06)


def test_the_anchor_can_be_switched_off() -> None:
    off = BaselineConfig(line_anchor_max_db_over_noise=0.0)
    assert start(-54.0, -60.0, off) == pytest.approx(blend(-54.0), abs=0.06)


# Through the real front end: a synthetic voice under steady pink noise (levels are RMS over
# the whole signal; the noise's RMS is -60 dBFS).

SR = 16_000


def noisy_call(calm_dbfs: float, noise_dbfs: float) -> np.ndarray:
    """Calm turns (130-140 Hz, 2.5 s, every 4.5 s from 1 s) at ``calm_dbfs`` and a shout
    (230 Hz, 2 s) at -36 dBFS at 30 s, over pink noise at ``noise_dbfs``; 40 s, mono."""
    x = pink_noise(40 * SR, 5) * 10 ** (noise_dbfs / 20)
    for k, t in enumerate(np.arange(1.0, 26.0, 4.5)):
        v = voiced(130.0 + 5 * (k % 3), 2.5, calm_dbfs, seed=k)
        x[int(t * SR) : int(t * SR) + v.size] += v
    shout = voiced(230.0, 2.0, -36.0, seed=99)
    x[30 * SR : 30 * SR + shout.size] += shout
    return x.astype(np.float32)


def yelling(x: np.ndarray, config: AnalysisConfig) -> list[tuple[float, float]]:
    res = run_session(DecodedAudio(x[None, :], SR, SR, "synthetic"), ChannelRoles(0, None), config)
    return [(e.start_s, e.end_s or 0.0) for e in res.analysis.events if e.kind == "yelling"]


def test_a_shout_over_a_calm_voice_the_noise_buries_is_yelling_as_on_the_clean_line() -> None:
    # The calm voice 2 dB under the noise's RMS: the gate finds only the peaks of its
    # syllables, a few tenths of a second voiced. The shout, 24 dB over the noise and 26 dB
    # over the calm voice, is yelling on the clean copy; with the -30 dBFS prior standing over
    # what was heard (the switch off) it is not.
    anchored = yelling(noisy_call(-62.0, -60.0), AnalysisConfig())
    assert len(anchored) == 1 and abs(anchored[0][0] - 30.0) < 0.3
    clean = yelling(noisy_call(-62.0, -90.0), AnalysisConfig())
    assert len(clean) == 1 and abs(clean[0][0] - 30.0) < 0.3
    off = AnalysisConfig.from_dict({"baseline": {"line_anchor_max_db_over_noise": 0.0}})
    assert yelling(noisy_call(-62.0, -60.0), off) == []


def test_a_far_voice_before_the_noise_window_is_full_does_not_become_the_start() -> None:
    # A far talker at the noise's RMS (-60 dBFS) in the first 5 s, then the party's own voice
    # 24 dB louder at 5.5 s (an AMI close-talk microphone's case, as in the first version of
    # the anchor): the noise estimate has not had its 8 s window, so the prior stands and the
    # party's first words are no yelling. Read against the unsettled estimate they would be.
    x = pink_noise(16 * SR, 5) * 10 ** (-60.0 / 20)
    for k, t in enumerate((0.5, 3.0)):
        far = voiced(120.0, 2.0, -60.0, seed=3 + k)
        x[int(t * SR) : int(t * SR) + far.size] += far
    own = voiced(190.0, 3.0, -36.0, seed=4)
    x[int(5.5 * SR) : int(5.5 * SR) + own.size] += own
    x = x.astype(np.float32)
    assert yelling(x, AnalysisConfig()) == []
    unsettled = AnalysisConfig.from_dict({"baseline": {"line_anchor_min_noise_s": 0.0}})
    assert len(yelling(x, unsettled)) == 1
