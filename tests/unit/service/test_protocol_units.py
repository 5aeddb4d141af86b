"""The platform adapters' pure parts: G.711 mu-law, AudioHook durations, HTTP message
signatures, agent-id mapping, media choice and Twilio track alignment (no server needed)."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from calltone.service.live.protocols.audiohook import SessionError, choose_media, resolve_agent
from calltone.service.live.protocols.codec import (
    MULAW_TO_LINEAR,
    format_duration,
    mulaw_decode,
    mulaw_encode,
    parse_duration_s,
)
from calltone.service.live.protocols.config import SourceSettings, load_sources, sha256_hex
from calltone.service.live.protocols.errors import AuthError, UnsupportedFormatError
from calltone.service.live.protocols.signature import NonceMemory, Verifier, sign
from calltone.service.live.protocols.twilio import TrackAligner
from calltone.service.settings import SettingsError


def test_mulaw_table_matches_g711() -> None:
    # ITU-T G.711 mu-law: 0xFF and 0x7F are zero, 0x80 is +32124, 0x00 is -32124
    assert MULAW_TO_LINEAR[0xFF] == 0 and MULAW_TO_LINEAR[0x7F] == 0
    assert MULAW_TO_LINEAR[0x80] == 32124 and MULAW_TO_LINEAR[0x00] == -32124
    # as the classic ulaw2linear: segment 0 steps by 8 (0xFE -> 8), segment 1 starts at 132
    assert MULAW_TO_LINEAR[0xFE] == 8 and MULAW_TO_LINEAR[0xEF] == 132
    codes = np.arange(256, dtype=np.uint8)
    again = np.frombuffer(mulaw_encode(MULAW_TO_LINEAR[codes]), dtype=np.uint8)
    assert np.array_equal(MULAW_TO_LINEAR[again], MULAW_TO_LINEAR[codes])  # decode(encode) exact


def test_mulaw_round_trip_error_is_within_the_quantisation_step() -> None:
    x = np.arange(-32000, 32000, 7, dtype=np.int16)
    y = mulaw_decode(mulaw_encode(x)).astype(int)
    step = np.maximum(8, 2 ** (np.floor(np.log2(np.abs(x.astype(int)) + 132)) - 4))
    assert np.all(np.abs(y - x) <= step)


def test_durations() -> None:
    assert parse_duration_s("PT1.5S") == 1.5 and parse_duration_s("PT0S") == 0.0
    assert format_duration(2.25) == "PT2.25S" and format_duration(0) == "PT0S"
    for bad in ("1.5", "PT-1S", "P1D", 3, "PT1.5M"):
        with pytest.raises(ValueError):
            parse_duration_s(bad)


SECRET = b"0123456789abcdef0123456789abcdef"
HEADERS = {
    "host": "calltone.example.com",
    "audiohook-organization-id": "d7934305-0972-4844-938e-9060eef73d05",
    "audiohook-session-id": "e160e428-53e2-487c-977d-96989bf5c99d",
    "audiohook-correlation-id": "30b0e395-84d3-4570-ac13-9a62d8f514c0",
    "x-api-key": "key1",
}


def _verifier(now: float, secrets: dict[str, bytes] | None = None) -> Verifier:
    table = secrets if secrets is not None else {"key1": SECRET}
    return Verifier(
        secret_of=table.get,
        max_age_s=10,
        clock_skew_s=3,
        min_nonce_chars=22,
        nonces=NonceMemory(100),
        clock=lambda: now,
    )


def _signed(created: int, **over: str) -> dict[str, str]:
    components = {
        "@request-target": "/v1/audiohook",
        "@authority": "calltone.example.com",
        **{k: v for k, v in HEADERS.items() if k != "host"},
    }
    headers = dict(HEADERS)
    headers.update(sign(components, key_id="key1", secret=SECRET, nonce="n" * 24, created=created))
    headers.update(over)
    return headers


def test_signature_verifies_and_refuses_tampering() -> None:
    now = 1_700_000_000.0
    assert _verifier(now).verify(_signed(int(now)), "/v1/audiohook") == "key1"
    cases = {
        "changed header": (_signed(int(now), **{"audiohook-session-id": "x"}), "mismatch"),
        "other path": (_signed(int(now)), "mismatch"),
        "stale": (_signed(int(now) - 60), "stale"),
        "future": (_signed(int(now) + 60), "future"),
    }
    for name, (headers, needle) in cases.items():
        target = "/v1/other" if name == "other path" else "/v1/audiohook"
        with pytest.raises(AuthError, match=needle):
            _verifier(now).verify(headers, target)


def test_signature_keyid_unknown_key_and_replay() -> None:
    now = 1_700_000_000.0
    headers = _signed(int(now), **{"x-api-key": "key2"})
    with pytest.raises(AuthError, match="keyid"):
        _verifier(now).verify(headers, "/v1/audiohook")
    with pytest.raises(AuthError, match="mismatch"):  # unknown key: same answer as a bad MAC
        _verifier(now, {}).verify(_signed(int(now)), "/v1/audiohook")
    v = _verifier(now)
    v.verify(_signed(int(now)), "/v1/audiohook")
    with pytest.raises(AuthError, match="replayed"):
        v.verify(_signed(int(now)), "/v1/audiohook")
    unsigned = dict(HEADERS)
    assert _verifier(now, {"key1": b""}).verify(unsigned, "/v1/audiohook") == "key1"
    with pytest.raises(AuthError, match="not signed"):
        _verifier(now).verify(unsigned, "/v1/audiohook")


def test_agent_mapping() -> None:
    s = SourceSettings(
        audiohook_agent_id_paths=["customConfig.agentId", "participant.dnis"],
        audiohook_agent_ids={"+15550199": "a17"},
    )
    assert resolve_agent({"customConfig": {"agentId": "a9"}}, s) == "a9"
    assert resolve_agent({"participant": {"dnis": "+15550199"}}, s) == "a17"
    assert resolve_agent({"participant": {"dnis": "+1555"}}, s) == "+1555"
    with pytest.raises(SessionError, match="no agent id"):
        resolve_agent({}, s)
    fallback = SourceSettings(audiohook_default_agent_id="genesys")
    assert resolve_agent({}, fallback) == "genesys"


def test_media_choice() -> None:
    offer = [
        {"type": "audio", "format": "opus", "channels": ["external"], "rate": 48000},
        {"type": "audio", "format": "L16", "channels": ["internal", "external"], "rate": 8000},
        {"type": "audio", "format": "PCMU", "channels": ["external", "internal"], "rate": 8000},
    ]
    assert choose_media(offer)["format"] == "L16"
    with pytest.raises(UnsupportedFormatError):
        choose_media(offer[:1])
    with pytest.raises(UnsupportedFormatError):
        choose_media([{**offer[2], "channels": ["external", "external"]}])


def test_track_aligner_fills_a_silent_track_and_drops_repeats() -> None:
    al = TrackAligner(["inbound", "outbound"], skew_samples=800, max_gap_samples=80_000)
    one = np.ones(160, dtype=np.int16)
    for k in range(20):  # 400 ms of inbound only: outbound is filled once 100 ms behind
        al.add("inbound", k * 160, one)
    out = al.take()
    assert out.shape == (3200 - 800, 2) and not out[:, 1].any() and out[:, 0].all()
    al.add("outbound", 2400, one)  # arrives late for audio already filled: kept from its end
    al.add("inbound", 3000, one)  # a repeat of audio already there: ignored
    rest = al.take(flush=True)
    assert al.emitted == 3200 and rest.shape[0] == 800


def test_settings_refuse_clear_keys_and_bad_secrets() -> None:
    with pytest.raises(SettingsError, match="SHA-256"):
        load_sources(fork_keys={"pbx": "the-key-itself"})
    with pytest.raises(SettingsError, match="base64"):
        load_sources(audiohook_keys={"k": "not base64!"})
    s = load_sources(
        fork_keys={"pbx": sha256_hex("k1")},
        audiohook_keys={"k": base64.b64encode(b"s").decode()},
    )
    assert s.fork_source("k1") == "pbx" and s.fork_source("k2") is None
    assert "s" not in repr(s.audiohook_keys["k"]) and s.audiohook_secret("k") == b"s"


def test_separate_on_a_server_without_the_mono_extra_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The speaker features of live separation need librosa (the 'mono' extra); a server
    # installed without it refuses at the start, naming the fix, instead of failing mid-call.
    import datetime as dt
    import importlib.util
    import json

    from calltone.service.live.protocols.calltone import ProtocolError, parse_start
    from calltone.service.storage import UserRecord

    user = UserRecord(
        id=1, name="a1", role="agent", agent_id="a1", created_at=dt.datetime.now(dt.UTC)
    )
    start = json.dumps({"type": "start", "channels": 1, "separate": True})
    assert parse_start(start, user)[2].agent == 0  # librosa is here: accepted
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "librosa" else real(name, *a)
    )
    with pytest.raises(ProtocolError) as info:
        parse_start(start, user)
    assert info.value.code == "separation_unavailable" and info.value.close_code == 1003
    assert "calltone[mono]" in info.value.message
