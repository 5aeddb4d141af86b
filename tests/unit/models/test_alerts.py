"""Alert policy on events with known timing, and live PCM decoding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from calltone.audio.channels import ChannelRoles
from calltone.audio.decode import load_audio
from calltone.audio.errors import FrameError, SampleRateError
from calltone.audio.pcm import PcmFormat, PcmStream, encode_pcm_s16le
from calltone.models.tone.alerts import SEEDS, AgentStrain, AlertConfig, AlertPolicy
from calltone.models.tone.events import Event
from calltone.models.tone.session import CallSession
from tests.support.synth import ROOT, SAMPLES

SEED_DIR = ROOT.parent / "shared" / "seeds"


def yelling(start: float, end: float | None, who: str = "customer") -> Event:
    return Event(
        "yelling",
        who,
        start,
        end,
        evidence={"confirmed_at_s": start + 1.0},
        thresholds={"yelling_db_over_baseline": 10.0},
    )


def test_de_escalate_once_per_cooldown_then_escalation_flag():
    p = AlertPolicy(
        AlertConfig(de_escalate_cooldown_s=30, escalate_if_yelling_again_within_s=120),
        call_id="c1",
        agent_id="a17",
    )
    first = p.on_events([yelling(10, None)])
    assert [a.kind for a in first] == ["de_escalate"]
    a = first[0]
    assert a.audience == "agent" and a.at_s == 11.0 and a.call_id == "c1" and a.agent_id == "a17"
    assert a.event_ids == [yelling(10, None).id]
    assert a.thresholds["yelling_db_over_baseline"] == 10.0
    assert p.on_events([yelling(10, 13)]) == []  # closing the same event raises nothing new
    again = p.on_events([yelling(20, None)])
    assert [x.kind for x in again] == ["escalation_flag"]  # de_escalate is cooling down
    assert again[0].audience == "supervisor" and "after de-escalation" in again[0].reason
    later = p.on_events([yelling(300, None)])
    assert [x.kind for x in later] == ["de_escalate"]  # cooled down, and too late to escalate


def test_interruption_and_tone_alerts_and_who_they_are_for():
    p = AlertPolicy()
    cust = Event("interruption", "customer", 5, None, evidence={"confirmed_at_s": 5.6})
    agent = Event("interruption", "agent", 9, None, evidence={"confirmed_at_s": 9.6})
    tone = Event("agent_tone", "agent", 20, None, evidence={"confirmed_at_s": 21.0})
    kinds = [a.kind for a in p.on_events([cust, agent, tone])]
    assert kinds == ["let_them_finish", "calm_down"]  # a customer cut-in is reported, not alerted


def test_phrase_cues_raise_flags():
    p = AlertPolicy()
    ev = Event(
        "phrase",
        "customer",
        30,
        32,
        evidence={"cue": "manager_request", "quote": "get me your manager"},
    )
    out = p.on_events([ev])
    assert [a.kind for a in out] == ["escalation_flag"] and "manager" in out[0].reason


def test_take_a_break_after_a_hard_call_and_after_several():
    cfg = AlertConfig(hard_call_customer_yelling_s=4.0, hard_calls_per_hour=3)
    strain = AgentStrain(cfg)
    for k in range(3):
        p = AlertPolicy(cfg, agent_id="a1")
        p.on_events([yelling(10, 16)])
        out = p.finish(60.0, strain=strain, wall_time_s=1000.0 + 600 * k)
        assert [a.kind for a in out] == ["take_a_break"] and out[0].audience == "both"
    assert "3 hard calls" in out[0].reason
    calm = AlertPolicy(cfg)
    calm.on_events([yelling(10, 11.5)])
    assert calm.finish(60.0) == []


def test_every_tip_quotes_its_seed_verbatim():
    if not SEED_DIR.is_dir():
        pytest.skip(f"seed texts not found at {SEED_DIR}")
    for kind, ref in SEEDS.items():
        text = (SEED_DIR / ref.file).read_text(encoding="utf-8")
        assert ref.quote in text, kind
        assert ref.title.split()[0] in text, kind


def test_pcm_frames_decode_resample_and_reject_bad_frames():
    fmt = PcmFormat(sample_rate_hz=8000, channels=2)
    stream = PcmStream(fmt)
    t = np.arange(8000) / 8000
    x = np.stack([0.5 * np.sin(2 * np.pi * 300 * t), 0.25 * np.sin(2 * np.pi * 500 * t)]).astype(
        np.float32
    )
    data = encode_pcm_s16le(x)
    parts = [stream.decode(data[i : i + 640]) for i in range(0, len(data), 640)] + [stream.flush()]
    y = np.concatenate(parts, axis=1)
    assert y.shape[0] == 2 and abs(y.shape[1] - 16000) <= 2
    assert abs(np.sqrt(np.mean(y[0, 2000:14000] ** 2)) - 0.5 / np.sqrt(2)) < 0.01
    with pytest.raises(FrameError, match="whole number"):
        stream.decode(b"\x00\x01\x02")
    with pytest.raises(FrameError, match="empty"):
        stream.decode(b"")
    with pytest.raises(FrameError, match="over"):
        stream.decode(b"\x00" * (fmt.max_frame_bytes + 4))
    with pytest.raises(FrameError, match="pcm_s16le"):
        PcmFormat(encoding="opus")
    with pytest.raises(SampleRateError):
        PcmFormat(sample_rate_hz=4000)


def test_live_pcm_session_matches_recorded_events():
    x = load_audio(Path(SAMPLES) / "escalation_call" / "call.wav").samples
    live = CallSession(
        roles=ChannelRoles(0, 1), n_channels=2, pcm=PcmFormat(16000, 2), call_id="c", agent_id="a"
    )
    data = encode_pcm_s16le(x)
    alerts_live = []
    for i in range(0, len(data), 640):  # 20 ms frames
        alerts_live += live.push_pcm(data[i : i + 640]).alerts
    res = live.finish()
    live.close()
    kinds = [a.kind for a in res.alerts]
    assert kinds[0] == "de_escalate" and "take_a_break" in kinds
    yell = [e for e in res.analysis.events if e.kind == "yelling"]
    assert len(yell) == 2
    assert alerts_live and alerts_live[0].at_s - yell[0].start_s <= 1.5


def test_live_session_hands_out_utterances_with_their_audio():
    from calltone.models.tone.session import UtteranceOptions

    x = load_audio(Path(SAMPLES) / "escalation_call" / "call.wav").samples
    script = __import__("json").loads(
        (Path(SAMPLES) / "escalation_call" / "script.json").read_text()
    )
    turns = script["utterances"] if isinstance(script, dict) else script
    s = CallSession(
        roles=ChannelRoles(0, 1), n_channels=2, utterances=UtteranceOptions(keep_audio_s=30.0)
    )
    utts = []
    for i in range(0, x.shape[1], 320):
        utts += s.push(x[:, i : i + 320]).utterances
    utts += s.finish().final.utterances
    assert len(utts) >= len(turns) - 2
    for t in turns:
        got = [
            u
            for u in utts
            if u.speaker == t["speaker"]
            and u.start_s <= t["start_s"] + 0.3
            and u.end_s >= t["end_s"] - 0.3
        ]
        assert got, t
        u = got[0]
        # The audio handed out is the call's audio at that time on that party's channel.
        ch = 0 if u.speaker == "agent" else 1
        a = round(u.start_s * 16000)
        assert np.allclose(u.samples, x[ch, a : a + u.samples.size], atol=1e-6)


def test_late_transcript_cue_is_judged_by_distance_not_order():
    p = AlertPolicy(AlertConfig(escalation_cooldown_s=0.0, escalate_after_customer_yelling_s=1.0))
    assert [a.kind for a in p.on_events([yelling(50, 53)])][-1] == "escalation_flag"
    late = Event(
        "phrase", "customer", 20, 21, evidence={"cue": "manager_request", "quote": "manager"}
    )
    assert [a.kind for a in p.on_events([late])] == [
        "escalation_flag"
    ]  # at 20 s, after one at 53 s
    p2 = AlertPolicy(AlertConfig(escalation_cooldown_s=60.0, escalate_after_customer_yelling_s=1.0))
    p2.on_events([yelling(50, 53)])
    assert p2.on_events([late]) == []  # within 60 s of the flag at 53 s, either side
