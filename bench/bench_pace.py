"""Words per minute on the real calls against what people measure (issue 14).

- ``phone_call_2spk``: calltone's words per minute over the talk time of its word timestamps
  (both sides share the one channel) against the STM reference: its words over the union of its
  own utterances.
- ``lca_calls/Auto_Repairs_40_UTC_{agent,caller}``: the calm call as a two-channel 8 kHz call;
  each party's words per minute and whether ``rushing`` fired, with the talk time also computed
  with pauses up to 2 s filled and from the front end's acoustic talk time, to show how much the
  divisor could move the rate.

Run: ``python bench/bench_pace.py [--json out.json]``. Needs ``../shared/data``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


from _common import shared_data_dir  # noqa: E402

from calltone.audio.channels import ChannelRoles  # noqa: E402
from calltone.audio.decode import load_audio  # noqa: E402
from calltone.models.recorded.analysis import run_session  # noqa: E402
from calltone.models.recorded.transcript import transcribe_session  # noqa: E402
from calltone.models.speech.text import talk_time_s  # noqa: E402
from calltone.models.speech.transcript import Word  # noqa: E402
from calltone.models.tone.config import AnalysisConfig  # noqa: E402


def analyse(path: Path, roles: ChannelRoles) -> tuple[dict[str, Any], dict[str, list[Word]], list]:
    audio = load_audio(path)
    session = run_session(audio, roles, AnalysisConfig())
    result = transcribe_session(audio, session, transcriber=None)
    words: dict[str, list[Word]] = {}
    for s in result.segments:
        words.setdefault(s.speaker, []).extend(s.words)
    metrics = {p: {**session.analysis.metrics.get(p, {}), **m} for p, m in result.metrics.items()}
    return metrics, words, [e for e in result.events if e.kind == "rushing"]


def union_s(spans: list[tuple[float, float]]) -> float:
    total, cur = 0.0, None
    for a, b in sorted(spans):
        if cur is not None and a <= cur[1]:
            cur[1] = max(cur[1], b)
            continue
        if cur is not None:
            total += cur[1] - cur[0]
        cur = [a, b]
    return total + (cur[1] - cur[0] if cur is not None else 0.0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    data = shared_data_dir()
    out: dict[str, Any] = {}
    phone = data / "phone_call_2spk"
    rows = [ln.split(maxsplit=5) for ln in (phone / "sample.stm").read_text().splitlines()]
    rows = [r for r in rows if len(r) == 6]
    ref_words = sum(len(r[5].split()) for r in rows)
    ref_talk = union_s([(float(r[3]), float(r[4])) for r in rows])
    _m, words, _r = analyse(phone / "sample.wav", ChannelRoles(0, None))
    ws = [w for v in words.values() for w in v]
    talk = talk_time_s(ws, start_s=0.0, end_s=1e9)
    ours, ref = 60 * len(ws) / talk, 60 * ref_words / ref_talk
    out["phone_call_2spk"] = {
        "words": len(ws),
        "talk_s": round(talk, 2),
        "wpm": round(ours, 1),
        "reference_words": ref_words,
        "reference_talk_s": round(ref_talk, 2),
        "reference_wpm": round(ref, 1),
        "error_pct": round(100 * (ours - ref) / ref, 1),
    }
    lca = data / "lca_calls"
    with tempfile.TemporaryDirectory() as tmp:
        a, sr = sf.read(lca / "Auto_Repairs_40_UTC_agent.flac", dtype="float32")
        c, _ = sf.read(lca / "Auto_Repairs_40_UTC_caller.flac", dtype="float32")
        n = min(a.shape[0], c.shape[0])
        path = Path(tmp) / "call.wav"
        sf.write(path, np.stack([a[:n], c[:n]], axis=1), sr, subtype="PCM_16")
        metrics, words, rushing = analyse(path, ChannelRoles(0, 1))
    out["lca Auto_Repairs_40_UTC"] = {"rushing_events": len(rushing)}
    for party, ws in words.items():
        m = metrics.get(party, {})
        gaps2 = _filled(ws, 2.0)
        out["lca Auto_Repairs_40_UTC"][party] = {
            "words": len(ws),
            "wpm": m.get("words_per_minute"),
            "transcribed_talk_s": m.get("transcribed_talk_s"),
            "wpm_pauses_to_2s_filled": round(60 * len(ws) / gaps2, 1),
            "acoustic_talk_s": m.get("talk_time_s"),
            "wpm_over_acoustic_talk": round(60 * len(ws) / m["talk_time_s"], 1)
            if m.get("talk_time_s")
            else None,
        }
    print(json.dumps(out, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


def _filled(words: list[Word], gap_s: float) -> float:
    spans = sorted((w.start_s, w.end_s) for w in words)
    total, cur = 0.0, None
    for a, b in spans:
        if cur is not None and a - cur[1] <= gap_s:
            cur[1] = max(cur[1], b)
            continue
        if cur is not None:
            total += cur[1] - cur[0]
        cur = [a, b]
    return total + (cur[1] - cur[0] if cur is not None else 0.0)


if __name__ == "__main__":
    raise SystemExit(main())
