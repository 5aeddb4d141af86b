"""Yelling and agent-tone accuracy on RAVDESS acted speech (../shared/data/ravdess_dev).

For every test clip of an actor, the actor's own neutral and calm clips (minus the test clip)
come first as the baseline, then the test clip; the call is analysed as a mono agent so both the
yelling and the agent-tone detectors run. A clip counts as flagged when an event overlaps it.
RAVDESS is CC BY-NC-SA 4.0: evaluation only, never copied into the repo.

Run: python bench/bench_ravdess.py [--json out.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import config_overrides  # noqa: E402
from _common import shared_data_dir as shared_data  # noqa: E402

from calltone.audio.channels import ChannelRoles  # noqa: E402
from calltone.audio.decode import DecodedAudio, load_audio  # noqa: E402
from calltone.models.recorded.analysis import run_analyzer  # noqa: E402
from calltone.models.tone.config import AnalysisConfig  # noqa: E402


def load_clips(data: Path) -> tuple[list[dict[str, str]], dict[str, np.ndarray]]:
    """RAVDESS label rows and each clip's 16 kHz samples, keyed by its path."""
    with open(data / "labels.csv") as fh:
        rows = list(csv.DictReader(fh))
    return rows, {r["path"]: load_audio(data / r["path"]).samples[0] for r in rows}


def clip_calls(
    rows: list[dict[str, str]], clips: dict[str, np.ndarray], actors: set[str] | None = None
):
    """For each test clip: (row, mono call audio, clip start s, clip end s).

    The call is the same actor's neutral and calm clips (minus the test clip), each followed by
    0.4 s of silence, then the test clip and 0.4 s of silence.
    """
    gap = np.zeros(int(0.4 * 16000), np.float32)
    by_actor = defaultdict(list)
    for r in rows:
        by_actor[r["actor"]].append(r)
    for r in rows:
        if actors is not None and r["actor"] not in actors:
            continue
        base = [x for x in by_actor[r["actor"]] if x["is_calm"] == "1" and x["path"] != r["path"]]
        parts: list[np.ndarray] = []
        for b in base:
            parts += [clips[b["path"]], gap]
        start_s = sum(p.size for p in parts) / 16000
        parts += [clips[r["path"]], gap]
        end_s = sum(p.size for p in parts) / 16000
        audio = DecodedAudio(np.concatenate(parts)[None, :], 16000, 16000, r["path"])
        yield r, audio, start_s, end_s


def evaluate(
    config: AnalysisConfig | None = None,
    data: Path | None = None,
    *,
    actors: set[str] | None = None,
    loaded: tuple[list[dict[str, str]], dict[str, np.ndarray]] | None = None,
) -> dict:
    """Flag rates per class; ``actors`` restricts the test clips (e.g. one held-out actor)."""
    data = data or shared_data() / "ravdess_dev"
    rows, clips = loaded or load_clips(data)
    cfg = config or AnalysisConfig()
    flags: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for r, audio, start_s, end_s in clip_calls(rows, clips, actors):
        res = run_analyzer(audio, ChannelRoles(agent=0, customer=None), cfg)
        hit = {
            k: any(
                e.kind == k and e.end_s is not None and e.end_s > start_s and e.start_s < end_s
                for e in res.events
            )
            for k in ("yelling", "agent_tone")
        }
        key = f"{r['emotion']}-{r['intensity']}"
        flags[key].append((hit["yelling"], hit["agent_tone"]))
    table = {
        k: {
            "n": len(v),
            "yelling_rate": float(np.mean([a for a, _ in v])),
            "agent_tone_rate": float(np.mean([b for _, b in v])),
        }
        for k, v in sorted(flags.items())
    }
    calm = [x for k, v in flags.items() if k.split("-")[0] in ("neutral", "calm") for x in v]
    angry = [x for k, v in flags.items() if k.startswith("angry") for x in v]
    summary = {
        "yelling_angry_strong": table.get("angry-strong", {}).get("yelling_rate"),
        "yelling_false_alarm_calm": float(np.mean([a for a, _ in calm])),
        "agent_tone_angry": float(np.mean([b for _, b in angry])),
        "agent_tone_false_alarm_calm": float(np.mean([b for _, b in calm])),
    }
    return {"by_class": table, "summary": summary}


# AMI close-talk sources used as the agent's side of a real conversation (data README: source2 is
# mostly crosstalk). Real meeting speech has no labelled tone, so agent_tone events there are the
# false-alarm check on conversation that acted clips cannot give.
AMI_SOURCES = ("source0.wav", "source1.wav", "source3.wav")


def ami_tone_events(config: AnalysisConfig | None = None, data: Path | None = None) -> dict:
    """agent_tone events with each AMI source as the agent and another as the customer."""
    from calltone.audio.decode import load_audio

    d = (data or shared_data()) / "ami_meeting_4spk_60s" / "sources"
    src = {name: load_audio(d / name).samples[0] for name in AMI_SOURCES}
    events, seconds, talk_s = 0, 0.0, 0.0
    for agent in AMI_SOURCES:
        for customer in AMI_SOURCES:
            if agent == customer:
                continue
            n = min(src[agent].size, src[customer].size)
            two = np.stack([src[agent][:n], src[customer][:n]])
            res = run_analyzer(
                DecodedAudio(two, 16000, 16000, f"{agent}+{customer}"),
                ChannelRoles(agent=0, customer=1),
                config or AnalysisConfig(),
            )
            tone = [e for e in res.events if e.kind == "agent_tone"]
            events += len(tone)
            seconds += sum((e.end_s or e.start_s) - e.start_s for e in tone)
            talk_s += float(res.metrics["agent"]["talk_time_s"])
    return {
        "pairings": 6,
        "agent_tone_events": events,
        "event_s": round(seconds, 1),
        "agent_talk_s": round(talk_s, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", default=None)
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="a config override (repeatable), e.g. agent_tone.spread_scale_robust_share=1",
    )
    args = ap.parse_args()
    cfg = AnalysisConfig.from_dict(config_overrides(args.set, ap))
    out = evaluate(cfg)
    out["ami_conversation"] = ami_tone_events(cfg)
    for k, v in out["by_class"].items():
        print(
            f"{k:<18} n={v['n']:<3} yelling {v['yelling_rate']:.2f}  agent_tone {v['agent_tone_rate']:.2f}"
        )
    print(json.dumps(out["summary"], indent=2))
    print("AMI conversation (no labelled tone):", json.dumps(out["ami_conversation"]))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
