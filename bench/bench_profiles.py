"""Agent voice profiles: what starting from one changes on a real calm call, and what it costs.

1. **Real calm call, split in halves** (``lca_calls``: the two-party Auto_Repairs call, agent =
   channel 0, customer = channel 1, 8 kHz): a profile is built from one half with
   :func:`service.live.profiles.build_profile` and the *other* half is analysed from the generic prior
   and from the profile (never the half the profile came from). Every yelling / agent_tone event
   by the agent and every de_escalate / calm_down / escalation_flag / take_a_break alert is a
   false alarm (the call is calm and friendly). Also reported: the agent baseline at the end of
   the half and after its first 20 s (how far the prior is from the agent's own voice).
2. **Storage cost per live call**: one ``get_agent_profile`` (call start) plus one
   ``get_agent_profile`` + ``save_agent_profile`` (call end), medians over ``--repeats`` calls on
   a SQLite file and (if reachable) the local PostgreSQL.

Run: ``python bench/bench_profiles.py [--repeats 200]``; prints Markdown. Needs ``../shared/data``
(or ``CALLTONE_SHARED_DATA``).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import shared_data_dir as shared_data  # noqa: E402

from calltone.audio.channels import ChannelRoles  # noqa: E402
from calltone.audio.decode import load_audio  # noqa: E402
from calltone.models.recorded.analysis import run_session  # noqa: E402
from calltone.models.tone.baseline import BaselineSnapshot  # noqa: E402
from calltone.models.tone.config import AnalysisConfig  # noqa: E402
from calltone.service.live.profiles import build_profile  # noqa: E402

FALSE_EVENTS = ("yelling", "agent_tone")
FALSE_ALERTS = ("de_escalate", "calm_down", "escalation_flag", "take_a_break")
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def lca_halves(work: Path) -> list[Path]:
    d = shared_data() / "lca_calls"
    agent, sr = sf.read(d / "Auto_Repairs_40_UTC_agent.flac", dtype="float32")
    caller, _ = sf.read(d / "Auto_Repairs_40_UTC_caller.flac", dtype="float32")
    n = min(agent.size, caller.size)
    x = np.stack([agent[:n], caller[:n]], axis=1)
    half = n // 2
    out = []
    for k, part in enumerate((x[:half], x[half:])):
        p = work / f"lca_half{k + 1}.wav"
        sf.write(p, part, sr)
        out.append(p)
    return out


def analyse(path: Path, profile: BaselineSnapshot | None) -> dict[str, Any]:
    audio = load_audio(path)
    result = run_session(
        audio,
        ChannelRoles(),
        AnalysisConfig(),
        profiles={"agent": profile} if profile is not None else None,
    )
    events = [e for e in result.analysis.events if e.speaker == "agent"]
    early = run_session(
        dataclasses.replace(audio, samples=audio.samples[:, : 20 * audio.sample_rate]),
        ChannelRoles(),
        AnalysisConfig(),
        profiles={"agent": profile} if profile is not None else None,
    )
    return {
        "events": sum(1 for e in events if e.kind in FALSE_EVENTS),
        "alerts": sum(1 for a in result.alerts if a.kind in FALSE_ALERTS),
        "final": result.analysis.baselines["agent"],
        "at_20s": early.analysis.baselines["agent"],
        "duration_s": audio.duration_s,
    }


def part_calm(work: Path) -> list[str]:
    halves = lca_halves(work)
    rows = [
        "| analysed half | start | agent yelling+agent_tone events | false alerts | agent "
        "pitch at 20 s / end (Hz) | agent level at 20 s / end (dBFS) |",
        "|---|---|---|---|---|---|",
    ]
    for k, target in enumerate(halves):
        source = halves[1 - k]
        profile, _ = build_profile([source], "lca_agent")
        assert profile is not None, f"{source}: too little agent speech for a profile"
        for label, snap in (
            ("generic prior", None),
            (f"profile of {source.stem}", profile.baseline),
        ):
            r = analyse(target, snap)
            rows.append(
                f"| {target.stem} ({r['duration_s']:.0f} s) | {label} | {r['events']} | "
                f"{r['alerts']} | {r['at_20s'].pitch_hz:.0f} / {r['final'].pitch_hz:.0f} | "
                f"{r['at_20s'].loudness_dbfs:.1f} / {r['final'].loudness_dbfs:.1f} |"
            )
        rows.append(
            f"| (profile: {profile.voiced_s:.0f} s voiced) | | | | "
            f"{profile.baseline.pitch_hz:.0f} | {profile.baseline.loudness_dbfs:.1f} |"
        )
    return rows


def _store_cost(url: str, repeats: int) -> tuple[float, float]:
    from calltone.service.storage import Store

    doc = {
        "schema": "calltone.voice_profile/1",
        "agent_id": "a1",
        "calls": 3,
        "voiced_s": 120.0,
        "updated_at": "",
        "baseline": {"loudness_dbfs": -24.0, "pitch_st": 5.0},
    }
    with Store(url) as store:
        store.save_agent_profile("a1", doc)
        start_ms, end_ms = [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            store.get_agent_profile("a1")
            t1 = time.perf_counter()
            store.get_agent_profile("a1")
            store.save_agent_profile("a1", doc)
            t2 = time.perf_counter()
            start_ms.append((t1 - t0) * 1000)
            end_ms.append((t2 - t1) * 1000)
    return statistics.median(start_ms), statistics.median(end_ms)


def part_storage(work: Path, repeats: int) -> list[str]:
    rows = ["| database | call start (load), median ms | call end (load + save), median ms |"]
    rows.append("|---|---|---|")
    s, e = _store_cost(f"sqlite:///{work / 'bench.db'}", repeats)
    rows.append(f"| SQLite file | {s:.2f} | {e:.2f} |")
    try:
        import psycopg

        schema = f"ct_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_URL.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        try:
            s, e = _store_cost(f"{PG_URL}?options=-csearch_path%3D{schema}", repeats)
            rows.append(f"| PostgreSQL (local) | {s:.2f} | {e:.2f} |")
        finally:
            with psycopg.connect(PG_URL.replace("+psycopg", ""), autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")
    except Exception as exc:  # PostgreSQL is optional here
        rows.append(f"| PostgreSQL | not measured ({type(exc).__name__}) | |")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=200)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print("\n".join(part_calm(work)))
        print()
        print("\n".join(part_storage(work, args.repeats)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
