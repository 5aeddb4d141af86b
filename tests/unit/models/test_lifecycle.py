"""A call's lifecycle (push -> finish -> add_events -> close), immutable events and the frame
blocks the detectors read."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from calltone.audio.channels import ChannelRoles
from calltone.audio.decode import load_audio
from calltone.models.tone.alerts import AgentStrain, AlertConfig
from calltone.models.tone.events import Event
from calltone.models.tone.frames import PartyFrames
from calltone.models.tone.session import CallLifecycleError, CallSession
from tests.support.synth import SAMPLES


def _escalation_session(**kw: object) -> CallSession:
    x = load_audio(SAMPLES / "escalation_call" / "call.wav").samples
    s = CallSession(roles=ChannelRoles(0, 1), n_channels=2, call_id="c", agent_id="a1", **kw)
    for i in range(0, x.shape[1], 16000 * 5):
        s.push(x[:, i : i + 16000 * 5])
    return s


def test_events_are_immutable_and_updates_are_new_events():
    ev = Event("yelling", "customer", 1.0, evidence={"baseline": {}})
    with pytest.raises(dataclasses.FrozenInstanceError):
        ev.end_s = 2.0  # type: ignore[misc]
    closed = ev.closed_at(2.5, evidence={"peak_loudness_db_over_baseline": 12.0})
    assert ev.is_open and not closed.is_open and closed.id == ev.id
    assert closed.evidence == {"baseline": {}, "peak_loudness_db_over_baseline": 12.0}
    assert "peak_loudness_db_over_baseline" not in ev.evidence


def test_close_decides_take_a_break_once_after_the_late_events():
    # Acoustic rules off for hardness and flags: only the late cue can make the call hard.
    quiet = AlertConfig(
        hard_call_customer_yelling_s=1e6,
        hard_call_agent_tone_s=1e6,
        escalate_if_yelling_again_within_s=0.0,
        escalate_after_customer_yelling_s=1e6,
    )
    s = _escalation_session(alert_config=quiet)
    with pytest.raises(CallLifecycleError):
        s.close()  # the audio has not ended
    res = s.finish()
    assert not res.closed and "take_a_break" not in [a.kind for a in res.alerts]
    cue = Event("phrase", "customer", 40.0, 41.0, evidence={"cue": "manager_request"})
    assert [a.kind for a in res.add_events([cue])] == ["escalation_flag"]
    closing = res.close()
    assert [a.kind for a in closing] == ["take_a_break"] and "escalation flag" in closing[0].reason
    assert res.alerts[-1] == closing[0] and res.closed
    assert res.close() == []  # decided once
    with pytest.raises(CallLifecycleError):
        s.add_events([cue])


def test_every_update_of_a_push_replaces_the_event_it_updates():
    s = _escalation_session()
    res = s.finish()
    ids = [e.id for e in res.analysis.events]
    assert len(ids) == len(set(ids)) and all(not e.is_open for e in res.analysis.events)


def test_strain_copies_one_agent_and_takes_it_back():
    cfg = AlertConfig(hard_calls_per_hour=2)
    strain = AgentStrain(cfg)
    strain.record_hard_call("a1", 1000.0)
    strain.record_hard_call("b2", 1000.0)
    copy = strain.for_agent("a1")
    assert copy.hard_calls("a1") == (1000.0,) and copy.hard_calls("b2") == ()
    assert copy.record_hard_call("a1", 2000.0) == 2
    assert strain.hard_calls("a1") == (1000.0,)  # the copy is independent
    strain.set_hard_calls("a1", copy.hard_calls("a1"))
    assert strain.hard_calls("a1") == (1000.0, 2000.0)


def test_party_frames_slice_and_concat_keep_fields_by_name():
    n = 10
    f = PartyFrames(
        100,
        loudness_dbfs=np.arange(n, dtype=np.float32),
        pitch_st=np.arange(n) + 0.5,
        voiced=np.arange(n) % 2 == 0,
        speech=np.ones(n, bool),
        nucleus=np.zeros(n, bool),
        tilt_db=-np.arange(n, dtype=np.float64),
        hnr_db=np.full(n, 15.0),
    )
    a, b = f.slice(0, 4), f.slice(4, n)
    assert (a.start, b.start, len(a), len(b)) == (100, 104, 4, 6)
    joined = PartyFrames.concat([a, b])
    for field in dataclasses.fields(PartyFrames):
        assert np.array_equal(getattr(joined, field.name), getattr(f, field.name))
