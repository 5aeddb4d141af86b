"""agent_tone: the speech a sparse window needs, scaled by the line's noise
(``AgentToneConfig.noise_scaled_judging_snr_db``).

Hand-built frames against a fixed baseline (speech level -30 dBFS, pitch 10 st); no recordings.
The voice's SNR is the baseline's speech level less the line's noise estimate, so with
``noise_scaled_judging_snr_db`` 20 and ``noise_scaled_judging_min_share`` 0.5:

- noise -40 dBFS: SNR 10 dB, share 0.5; noise -34 dBFS: SNR 4 dB, share 0.5 (the floor);
  noise -44 dBFS: 14 dB, 0.7; noise -70 dBFS: 40 dB, share 1 (nothing changes).
- A 0.4 s burst of speech 10 dB over the baseline with 0.1 s voiced (every 4th frame), at the
  baseline's pitch: too little voiced for ``min_voiced_s`` (0.3 s), so it is a sparse window,
  judged on its level alone once it holds ``sparse_min_speech_s`` (0.6 s) times the share of
  speech: 0.6 s unscaled (not judged), 0.3 s at share 0.5 (judged). Its level-only score is
  ``sigmoid(-1.8181 + 0.3953 * 10)`` = 0.894, over ``min_score`` 0.7705.
- The baseline's requirement is not scaled: a baseline with 1.5 s of the speaker's speech and
  0.7 s voiced stays young (under ``min_baseline_voiced_s`` 1 s) on any line, so a fully
  voiced second at +10 dB, +3 st (``sigmoid(-1.8181 + 0.3953 * 10 - 0.0997 * 2)`` = 0.874
  against a grown baseline) is no event against it: only 18 dB louder and 2.5 st higher is.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from calltone.models.tone.baseline import BaselineSnapshot
from calltone.models.tone.config import AgentToneConfig
from calltone.models.tone.detectors import AgentToneDetector
from calltone.models.tone.frames import PartyFrames
from tests.support.frames import agent_tone_events, agent_tone_trace, own_speech_snapshot

HOP_S = 0.01
OWN_DBFS = -30.0
OWN_ST = 10.0
ON = AgentToneConfig(noise_scaled_judging_snr_db=20.0, noise_scaled_judging_min_share=0.5)
OFF = AgentToneConfig()


def _burst(
    noise_dbfs: float,
    *,
    speech_s: float,
    voiced_every: int,
    db_over: float = 10.0,
    st_over: float = 0.0,
    lead_s: float = 1.0,
    tail_s: float = 3.0,
) -> PartyFrames:
    """Silence (the line's noise) for ``lead_s``, ``speech_s`` of speech ``db_over`` the
    baseline with every ``voiced_every``-th frame voiced ``st_over`` its pitch, then
    ``tail_s`` of silence; the noise estimate ``noise_dbfs`` throughout."""
    lead, n, tail = round(lead_s / HOP_S), round(speech_s / HOP_S), round(tail_s / HOP_S)
    total = lead + n + tail
    speech = np.zeros(total, bool)
    speech[lead : lead + n] = True
    voiced = speech & (np.arange(total) % voiced_every == 0)
    level = np.where(speech, OWN_DBFS + db_over, noise_dbfs).astype(np.float32)
    return PartyFrames(
        0,
        loudness_dbfs=level,
        pitch_st=np.where(voiced, OWN_ST + st_over, np.nan),
        voiced=voiced,
        speech=speech,
        nucleus=speech & (np.arange(total) % 25 == 0),
        tilt_db=np.full(total, -12.0, np.float32),
        hnr_db=np.full(total, 10.0, np.float32),
        noise_dbfs=np.full(total, noise_dbfs, np.float32),
    )


def _sparse_burst(noise_dbfs: float) -> PartyFrames:
    return _burst(noise_dbfs, speech_s=0.4, voiced_every=4)


def _young(**fields: float) -> BaselineSnapshot:
    return own_speech_snapshot(
        OWN_DBFS, OWN_ST, voiced_s=0.7, own_voiced_s=0.7, own_speech_s=1.5, **fields
    )


def _events(frames: PartyFrames, baseline: BaselineSnapshot, config: AgentToneConfig) -> list:
    """The detector's events as they stand at the end (an event is announced when it opens
    and updated when it closes: the last update of each start)."""
    out = {ev.start_s: ev for ev in agent_tone_events(frames, baseline, config, hop_s=HOP_S)}
    return list(out.values())


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def test_off_by_default() -> None:
    assert AgentToneConfig().noise_scaled_judging_snr_db == 0.0
    det = AgentToneDetector(OFF, speaker="agent", hop_s=HOP_S)
    share = det._judge_share(own_speech_snapshot(OWN_DBFS, OWN_ST), np.array([-40.0, -34.0]))
    assert share.tolist() == [1.0, 1.0]


@pytest.mark.parametrize(
    ("noise_dbfs", "share"), [(-40.0, 0.5), (-34.0, 0.5), (-44.0, 0.7), (-70.0, 1.0)]
)
def test_the_share_is_the_voice_snr_over_the_setting(noise_dbfs: float, share: float) -> None:
    det = AgentToneDetector(ON, speaker="agent", hop_s=HOP_S)
    got = det._judge_share(own_speech_snapshot(OWN_DBFS, OWN_ST), np.array([noise_dbfs]))
    assert got[0] == pytest.approx(share)


def test_the_known_scores() -> None:
    assert _sigmoid(-1.8181 + 0.3953 * 10.0) == pytest.approx(0.894, abs=0.001)
    assert _sigmoid(-1.8181 + 0.3953 * 10.0 - 0.0997 * 2.0) == pytest.approx(0.874, abs=0.001)
    # The traced sparse window on the noisy line reads +10 dB on level alone.
    trace = agent_tone_trace(_sparse_burst(-40.0), own_speech_snapshot(OWN_DBFS, OWN_ST), ON, [500])
    judged = [t for t in trace if t[1]]
    assert judged, "the sparse burst is judged at share 0.5"
    assert max(t[2][0] for t in judged) == pytest.approx(10.0, abs=0.01)
    assert max(t[5] for t in judged) == pytest.approx(0.4, abs=0.011)  # its speech seconds


def test_a_sparse_burst_on_a_noisy_line_is_judged_with_the_share() -> None:
    base = own_speech_snapshot(OWN_DBFS, OWN_ST)
    assert _events(_sparse_burst(-40.0), base, OFF) == []
    events = _events(_sparse_burst(-40.0), base, ON)
    assert len(events) == 1
    ev = events[-1]
    assert ev.evidence["noise_scaled_judging_share"] == 0.5
    assert ev.thresholds["noise_scaled_judging_snr_db"] == 20.0
    assert ev.thresholds["noise_scaled_judging_min_share"] == 0.5
    assert ev.evidence["score"] == pytest.approx(0.894, abs=0.002)
    # The event lies on the burst (1.0-1.4 s).
    assert 0.95 <= ev.start_s <= 1.1
    assert ev.end_s is not None and ev.end_s <= 1.45


def test_nothing_changes_on_a_line_whose_noise_is_far_under_the_voice() -> None:
    base = own_speech_snapshot(OWN_DBFS, OWN_ST)
    assert _events(_sparse_burst(-70.0), base, ON) == []
    # 14 dB SNR: share 0.7, so 0.42 s of speech is needed and the 0.4 s burst is not judged.
    assert _events(_sparse_burst(-44.0), base, ON) == []
    # ... but 0.45 s is.
    longer = _burst(-44.0, speech_s=0.45, voiced_every=4)
    assert len(_events(longer, base, ON)) == 1


def test_a_quiet_sparse_burst_is_judged_and_found_calm() -> None:
    """The share lets a window be judged; it does not make it non-calm: +2 dB scores 0.27."""
    base = own_speech_snapshot(OWN_DBFS, OWN_ST)
    quiet = _burst(-40.0, speech_s=0.4, voiced_every=4, db_over=2.0)
    trace = agent_tone_trace(quiet, base, ON, [500])
    assert any(t[1] for t in trace)
    assert _events(quiet, base, ON) == []


def test_a_young_baseline_on_a_noisy_line_stays_young() -> None:
    talk = _burst(-40.0, speech_s=1.0, voiced_every=1, st_over=3.0)
    grown = own_speech_snapshot(OWN_DBFS, OWN_ST)
    events = _events(talk, grown, ON)
    assert len(events) == 1
    assert events[0].evidence["score"] == pytest.approx(0.874, abs=0.002)
    # A fully voiced window is no sparse one: nothing was scaled for it.
    assert "noise_scaled_judging_share" not in events[0].evidence
    assert _events(talk, _young(), OFF) == []
    assert _events(talk, _young(), ON) == []
    shout = _burst(-40.0, speech_s=1.0, voiced_every=1, db_over=19.0, st_over=3.0)
    events = _events(shout, _young(), ON)
    assert len(events) == 1 and events[0].evidence["young_baseline"] is True


@pytest.mark.parametrize("sizes", [[1] * 500, [7] * 72, [2] * 250])
def test_any_push_size_reads_the_same(sizes: list[int]) -> None:
    base = own_speech_snapshot(OWN_DBFS, OWN_ST)
    talk = _sparse_burst(-40.0)
    whole = agent_tone_trace(talk, base, ON, [500])
    n = sum(sizes)
    part = agent_tone_trace(talk.slice(0, n), base, ON, sizes)
    want = [t for t in whole if t[0] < n]
    # The same evaluations, judged alike (the share is read per evaluation), with the same
    # signals (to the rounding of the running sums; NaN where a window has no voiced frame).
    assert [(t[0], t[1], t[4]) for t in part] == [(t[0], t[1], t[4]) for t in want]
    assert any(t[1] for t in part)
    np.testing.assert_allclose(
        np.array([t[2] for t in part]), np.array([t[2] for t in want]), atol=1e-9
    )
