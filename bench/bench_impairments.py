"""Calm real calls through line impairments the channel simulator does not model (issue 13).

Acceptance runs on channel conditions we do not have. Besides codecs, levels and noise
(``bench/telephone.py``), real contact-centre lines carry:

- **echo**: the far end's hybrid returns the agent's voice on the customer channel 20-300 ms
  later (a network echo an echo canceller did not fully remove), or a softphone's speaker leaks
  the customer into the agent's microphone; modelled as a delayed copy of one channel added to
  the other at -30, -20 or -12 dB;
- **packet loss**: 20 ms frames lost and zero-filled (no concealment) at 2 % and 5 %;
- **clipping**: one line 12 dB too hot into a recorder that clips at half scale;
- **hum**: 50 Hz mains hum at -40 dBFS on both lines;
- **gain**: both lines 10 dB hotter (clipping at full scale) or 20 dB quieter.

Every yelling / agent_tone event and every alert on these calm calls is a false alarm, and so is
every interruption the clean copy does not have (``interruptions`` counts them all; the clean
row gives the baseline). Calls: the real two-party telephone call ``lca_calls/Auto_Repairs``
(8 kHz, 4 minutes) and two AMI close-talk pairings (wideband, real overlaps).

Run: ``python bench/bench_impairments.py [--json out.json] [--calls lca,ami]``. Needs
``../shared/data``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import bench_calls  # noqa: E402
from bench_calls import CALM_FALSE_ALERTS, SR_HZ, TONE_EVENTS  # noqa: E402

from calltone.audio.decode import DecodedAudio  # noqa: E402
from calltone.models.recorded.analysis import run_session  # noqa: E402
from calltone.models.tone.config import AnalysisConfig  # noqa: E402

Impairment = Callable[[np.ndarray], np.ndarray]


def echo(src: int, dst: int, gain_db: float, delay_s: float) -> Impairment:
    """Channel ``src`` added to channel ``dst``, ``delay_s`` late, ``gain_db`` down."""

    def f(x: np.ndarray) -> np.ndarray:
        y = x.copy()
        d = max(1, round(delay_s * SR_HZ))
        y[dst, d:] += x[src, :-d] * np.float32(10 ** (gain_db / 20))
        return y

    return f


def packet_loss(rate: float, *, seed: int = 5) -> Impairment:
    def f(x: np.ndarray) -> np.ndarray:
        y = x.copy()
        frame = round(0.02 * SR_HZ)
        rng = np.random.default_rng(seed)
        lost = rng.random((y.shape[0], y.shape[1] // frame)) < rate
        for ch, k in zip(*np.nonzero(lost), strict=True):
            y[ch, k * frame : (k + 1) * frame] = 0.0
        return y

    return f


def clip(channel: int, gain_db: float, ceiling: float = 0.5) -> Impairment:
    def f(x: np.ndarray) -> np.ndarray:
        y = x.copy()
        y[channel] = np.clip(y[channel] * np.float32(10 ** (gain_db / 20)), -ceiling, ceiling)
        return y

    return f


def hum(level_dbfs: float, freq_hz: float = 50.0) -> Impairment:
    def f(x: np.ndarray) -> np.ndarray:
        t = np.arange(x.shape[1]) / SR_HZ
        tone = 10 ** (level_dbfs / 20) * np.sqrt(2) * np.sin(2 * np.pi * freq_hz * t)
        return x + tone.astype(np.float32)[None, :]

    return f


def gain(db: float) -> Impairment:
    def f(x: np.ndarray) -> np.ndarray:
        return np.clip(x * np.float32(10 ** (db / 20)), -1.0, 1.0)

    return f


def impairments() -> dict[str, Impairment]:
    out: dict[str, Impairment] = {"clean": lambda x: x}
    for src, dst, label in ((0, 1, "agent->customer"), (1, 0, "customer->agent")):
        for g in (-30.0, -20.0, -12.0):
            for d in (0.005, 0.03, 0.06, 0.15, 0.3):
                out[f"echo {label} {g:g} dB {round(d * 1000)} ms"] = echo(src, dst, g, d)
    out["packet loss 2%"] = packet_loss(0.02)
    out["packet loss 5%"] = packet_loss(0.05)
    out["agent clipped (+12 dB, half scale)"] = clip(0, 12.0)
    out["customer clipped (+12 dB, half scale)"] = clip(1, 12.0)
    out["hum 50 Hz -40 dBFS"] = hum(-40.0)
    out["both +10 dB (clip at full scale)"] = gain(10.0)
    out["both -20 dB"] = gain(-20.0)
    return out


def run(call_names: list[str]) -> dict[str, Any]:
    calls = [
        c
        for c in bench_calls.load_calm_calls()
        if (c.name == "lca_auto_repairs" and "lca" in call_names)
        or (c.name in ("ami_source0+source1", "ami_source1+source3") and "ami" in call_names)
    ]
    cfg = AnalysisConfig()
    rows: list[dict[str, Any]] = []
    for name, f in impairments().items():
        for call in calls:
            x = f(call.samples.astype(np.float32))
            res = run_session(DecodedAudio(x, SR_HZ, SR_HZ, call.name), call.roles, cfg)
            ev = res.analysis.events
            rows.append(
                {
                    "impairment": name,
                    "call": call.name,
                    "calm_talk_s": round(bench_calls.reference_talk_s(call), 1),
                    "interruptions": sum(e.kind == "interruption" for e in ev),
                    "tone_events": sum(e.kind in TONE_EVENTS for e in ev),
                    "false_alerts": sum(a.kind in CALM_FALSE_ALERTS for a in res.alerts),
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    return {"rows": rows}


def table(out: dict[str, Any]) -> str:
    by: dict[str, dict[str, dict[str, Any]]] = {}
    for r in out["rows"]:
        by.setdefault(r["impairment"], {})[r["call"]] = r
    calls = sorted({r["call"] for r in out["rows"]})
    lines = [
        "| impairment | "
        + " | ".join(f"{c}: interruptions / tone events / alerts" for c in calls)
        + " |",
        "|---|" + "---|" * len(calls),
    ]
    for name, per in by.items():
        cells = []
        for c in calls:
            r = per.get(c)
            cells.append(
                "-"
                if r is None
                else f"{r['interruptions']} / {r['tone_events']} / {r['false_alerts']}"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", default=None)
    ap.add_argument("--calls", default="lca,ami", help="comma-separated: lca, ami")
    args = ap.parse_args(argv)
    if not bench_calls.shared_data().exists():
        print("../shared/data is missing: nothing to measure", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    out = run(args.calls.split(","))
    out["wall_s"] = round(time.perf_counter() - t0, 1)
    print(table(out))
    print(f"wall time {out['wall_s']} s")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
