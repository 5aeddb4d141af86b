"""The streaming core: chunking never changes events; live-style use returns events early."""

from __future__ import annotations

import json

import numpy as np
import pytest

from calltone.audio.channels import ChannelRoles
from calltone.audio.decode import load_audio
from calltone.audio.errors import AudioError
from calltone.models.tone.config import AnalysisConfig
from calltone.models.tone.stream import CallAnalyzer
from tests.support.synth import SAMPLES, SR, silence, voiced

CALLS = ["escalation_call", "interrupting_agent_call"]


def run(samples: np.ndarray, chunk: int) -> tuple[list[dict], list[tuple[float, str, bool]]]:
    an = CallAnalyzer(roles=ChannelRoles(0, 1), n_channels=2)
    seen = []
    for i in range(0, samples.shape[1], chunk):
        for ev in an.push(samples[:, i : i + chunk]):
            seen.append((an.time_s, ev.id, ev.is_open))
    res = an.finish()
    return [e.to_dict() for e in res.events_sorted()], seen


@pytest.mark.parametrize("call", CALLS)
def test_20ms_1s_and_whole_file_give_the_same_events(call):
    x = load_audio(SAMPLES / call / "call.wav").samples
    whole, _ = run(x, x.shape[1])
    one_s, _ = run(x, 16000)
    twenty_ms, live = run(x, 320)
    assert whole, "the sample should produce events"
    assert json.dumps(whole) == json.dumps(one_s) == json.dumps(twenty_ms)
    # Live: each event is announced open (before it ends) within ~1.5 s of its start.
    for ev in whole:
        opened = [t for t, i, is_open in live if i == ev["id"] and is_open]
        if ev["kind"] == "dead_air":
            continue
        if ev["evidence"].get("confirmed_at_s", 0.0) >= x.shape[1] / 16000 - 0.5:
            continue  # confirmed by the last frames, which only finish() can flush
        assert opened, f"{ev['id']} was never announced open"
        # agent_tone spans start at the first voiced frame of its 3 s judging window (tight
        # spans), so it is announced up to one window after that start.
        limit_s = 3.1 if ev["kind"] == "agent_tone" else 1.6
        assert opened[0] - ev["start_s"] <= limit_s, (ev["id"], opened[0])


def test_push_rejects_bad_shapes_and_nan():
    an = CallAnalyzer(roles=ChannelRoles(0, 1), n_channels=2)
    with pytest.raises(AudioError, match="one row per channel"):
        an.push(np.zeros((3, 100), np.float32))
    bad = np.zeros((2, 100), np.float32)
    bad[0, 5] = np.nan
    with pytest.raises(AudioError, match="NaN"):
        an.push(bad)
    an.finish()
    with pytest.raises(AudioError, match="finished"):
        an.push(np.zeros((2, 100), np.float32))


def test_speaker_histograms_count_like_numpy_histogram():
    # The metrics' running histograms skip np.histogram's per-call overhead; they must still
    # count exactly as it does: values on interior edges go right, the last edge is included,
    # values outside the bins are ignored.
    from calltone.models.tone.stream import _LOUDNESS_DB_BINS, _PITCH_ST_BINS, _add_counts

    rng = np.random.default_rng(7)
    for bins in (_LOUDNESS_DB_BINS, _PITCH_ST_BINS):
        for _ in range(100):
            values = np.concatenate(
                (
                    rng.uniform(bins[0] - 5, bins[-1] + 5, rng.integers(0, 60)),
                    rng.choice(bins, 6),  # exactly on edges, first and last included
                    [bins[0], bins[-1], np.nextafter(bins[-1], np.inf)],
                )
            )
            hist = np.zeros(bins.size - 1, np.int64)
            _add_counts(hist, values, bins)
            np.testing.assert_array_equal(hist, np.histogram(values, bins)[0])


def test_the_baseline_does_not_learn_speech_the_detectors_were_still_judging():
    # 14 s of calm speech at -30 dBFS, then a voice raised 8 dB for 4 s. The tone window is made
    # to wait for 1.5 s of voiced speech before judging (as it waits on a quiet coded line,
    # where the pitch tracker voices fewer frames): the raised voice is flagged 1.5 s in. The
    # baseline learns a frame only after learn_delay_s, and not if a flagged frame follows
    # within that time, so the raised voice's first 1.5 s never become the speaker's normal;
    # learning at once (learn_delay_s = 0), they lift the speech level ~2 dB before the flag.
    x = silence(24.0, seed=11)
    for at_s, sig in (
        (0.5, voiced(200, 14.0, -30, seed=5, syll_hz=2.0)),
        (16.0, voiced(200 * 2 ** (2 / 12), 4.0, -22, seed=6, syll_hz=2.0)),
    ):
        x[int(at_s * SR) : int(at_s * SR) + sig.size] += sig

    def levels(learn_delay_s: float) -> tuple[float, float, list]:
        cfg = AnalysisConfig.from_dict(
            {
                "baseline": {"learn_delay_s": learn_delay_s},
                # No level-only judgement of sparsely voiced windows either: the window waits.
                "agent_tone": {"min_voiced_s": 1.5, "sparse_min_speech_s": 30.0},
            }
        )
        an = CallAnalyzer(roles=ChannelRoles(agent=0, customer=None), n_channels=1, config=cfg)
        at_16 = None
        for i in range(0, x.size, SR // 10):
            an.push(x[None, i : i + SR // 10])
            if at_16 is None and an.time_s >= 16.0:
                at_16 = an.baselines["agent"].snapshot.speech_level_dbfs
        end = an.baselines["agent"].snapshot.speech_level_dbfs
        tone = [e for e in an.finish().events if e.kind == "agent_tone"]
        assert at_16 is not None
        return at_16, end, tone

    before, after, tone = levels(AnalysisConfig().baseline.learn_delay_s)
    assert len(tone) == 1 and tone[0].evidence["confirmed_at_s"] >= 17.0
    assert after == pytest.approx(before, abs=0.1)
    before0, after0, tone0 = levels(0.0)
    assert len(tone0) == 1
    assert after0 - before0 > 1.5
