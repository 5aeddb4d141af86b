"""The typed outbound messages of live sockets encode to the documented JSON objects."""

from __future__ import annotations

import json

from calltone.service.live.messages import (
    AlertMessage,
    CallEnded,
    ErrorMessage,
    ListenStart,
    Pong,
    Started,
    Summary,
    TranscriptGap,
    encode,
)


def test_messages_encode_with_type_first_and_their_fields() -> None:
    assert encode(Pong(1.25)) == '{"type": "pong", "time_s": 1.25}'
    assert json.loads(encode(ErrorMessage("bad_frame", "send whole samples"))) == {
        "type": "error",
        "code": "bad_frame",
        "message": "send whole samples",
    }
    started = Started(call_id="c1", agent_id="a1", format={"sample_rate": 16000})
    assert list(started.to_dict()) == ["type", "call_id", "agent_id", "format"]
    assert AlertMessage({"id": 3}).to_dict() == {"type": "alert", "alert": {"id": 3}}
    assert Summary({"call_id": "c1", "state": "ended"}).to_dict() == {
        "type": "summary",
        "call_id": "c1",
        "state": "ended",
    }


def test_optional_fields_are_left_out_as_before() -> None:
    per_utterance = TranscriptGap(from_s=1.0, to_s=2.5, reason="backlog full", speaker="agent")
    assert list(per_utterance.to_dict()) == ["type", "speaker", "from_s", "to_s", "reason"]
    at_stop = TranscriptGap(from_s=None, to_s=30.0, reason="dropped")
    assert at_stop.to_dict() == {
        "type": "transcript_gap",
        "from_s": None,
        "to_s": 30.0,
        "reason": "dropped",
    }
    assert CallEnded(call_id="c1").to_dict() == {"type": "end", "call_id": "c1"}
    assert CallEnded(state="ended").to_dict() == {"type": "end", "state": "ended"}
    start = ListenStart("c1", "a1", 8000, 2, "pcm_s16le", 1)
    assert start.to_dict()["type"] == "start" and start.to_dict()["agent_channel"] == 1
