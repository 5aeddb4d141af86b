"""Interruption precision, recall and onset error on real overlaps (AMI) and on clips overlapped
at known offsets, with and without backchannels.

AMI (CC BY 4.0, the AMI project): each speaker's close-talk source in
``ami_meeting_4spk_60s/sources`` goes on its own channel; the reference interruptions come from
``mixture.rttm`` with the DESIGN.md definition applied to the reference turns.

Run: python bench/bench_interruptions.py
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_ravdess import shared_data  # noqa: E402

from audio.channels import ChannelRoles  # noqa: E402
from audio.decode import DecodedAudio, load_audio  # noqa: E402
from models.analysis import run_analyzer  # noqa: E402
from models.config import AnalysisConfig, InterruptionConfig  # noqa: E402

SOURCES = {"MEO015": "source0.wav", "FEE013": "source1.wav", "FEE016": "source3.wav"}


@dataclass(frozen=True)
class RefInterruption:
    speaker: str
    start_s: float


def read_rttm(path: Path) -> list[tuple[str, float, float]]:
    out = []
    for line in path.read_text().splitlines():
        f = line.split()
        if f and f[0] == "SPEAKER":
            out.append((f[7], float(f[3]), float(f[3]) + float(f[4])))
    return out


def reference_interruptions(
    turns: list[tuple[str, float, float]], a: str, b: str, c: InterruptionConfig
) -> list[RefInterruption]:
    """DESIGN.md's rule applied to reference turns of speakers ``a`` and ``b``."""
    out = []
    for p, q in ((a, b), (b, a)):
        for sp, s, e in turns:
            if sp != p or e - s < c.backchannel_max_s:
                continue
            for sq, s2, e2 in turns:
                if sq != q:
                    continue
                if s2 <= s - c.min_other_turn_s and e2 >= s + c.min_overlap_s:
                    out.append(RefInterruption(p, s))
                    break
    return sorted(out, key=lambda r: r.start_s)


def score(
    detected: list[tuple[str, float]], reference: list[RefInterruption], *, tol_s: float = 0.5
) -> dict:
    used: set[int] = set()
    errors = []
    tp = 0
    for r in reference:
        best = None
        for k, (sp, t) in enumerate(detected):
            if k in used or sp != r.speaker or abs(t - r.start_s) > tol_s:
                continue
            if best is None or abs(t - r.start_s) < abs(detected[best][1] - r.start_s):
                best = k
        if best is not None:
            used.add(best)
            tp += 1
            errors.append(abs(detected[best][1] - r.start_s))
    return {"tp": tp, "fp": len(detected) - tp, "fn": len(reference) - tp, "onset_errors_s": errors}


def ami_pairs(config: AnalysisConfig | None = None) -> dict:
    cfg = config or AnalysisConfig()
    d = shared_data() / "ami_meeting_4spk_60s"
    turns = read_rttm(d / "mixture.rttm")
    src = {k: load_audio(d / "sources" / v).samples[0] for k, v in SOURCES.items()}
    totals = {"tp": 0, "fp": 0, "fn": 0, "onset_errors_s": []}
    per_pair = {}
    names = list(SOURCES)
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            a, b = names[i], names[j]
            n = min(src[a].size, src[b].size)
            audio = DecodedAudio(np.stack([src[a][:n], src[b][:n]]), 16000, 16000, f"{a}+{b}")
            res = run_analyzer(audio, ChannelRoles(agent=0, customer=1), cfg)
            who = {"agent": a, "customer": b}
            det = [(who[e.speaker], e.start_s) for e in res.events if e.kind == "interruption"]
            ref = reference_interruptions(turns, a, b, cfg.interruption)
            s = score(det, ref)
            per_pair[f"{a}+{b}"] = {
                "detected": det,
                "reference": [(r.speaker, r.start_s) for r in ref],
                **{k: v for k, v in s.items() if k != "onset_errors_s"},
            }
            for k in ("tp", "fp", "fn"):
                totals[k] += s[k]
            totals["onset_errors_s"] += s["onset_errors_s"]
    return {"pairs": per_pair, **_summary(totals)}


def _summary(t: dict) -> dict:
    p = t["tp"] / max(t["tp"] + t["fp"], 1)
    r = t["tp"] / max(t["tp"] + t["fn"], 1)
    e = t["onset_errors_s"]
    return {
        "tp": t["tp"],
        "fp": t["fp"],
        "fn": t["fn"],
        "precision": p,
        "recall": r,
        "median_onset_error_s": float(np.median(e)) if e else None,
        "max_onset_error_s": float(np.max(e)) if e else None,
    }


def _speech_onset_s(clip: np.ndarray, sr: int) -> float:
    """Start of the clip's own speech: first 10 ms frame within 25 dB of its loudest frame."""
    hop = sr // 100
    n = clip.size // hop
    rms_db = 10 * np.log10(np.mean(clip[: n * hop].reshape(n, hop) ** 2, axis=1) + 1e-12)
    return float(np.argmax(rms_db >= rms_db.max() - 25.0) * hop / sr)


def known_offsets(config: AnalysisConfig | None = None, *, seed: int = 7, trials: int = 45) -> dict:
    """Real speech overlapped at known offsets: cut-ins, backchannels and clean turn-taking.

    The long turn is 6 s of one AMI speaker; the other speaker's clip starts at a known time.
    A clip of >= 1.2 s that starts while the first is talking is a cut-in; a 0.3-0.45 s burst is
    a backchannel; a clip that starts after the turn ends is a clean hand-over.
    """
    cfg = config or AnalysisConfig()
    rng = np.random.default_rng(seed)
    d = shared_data() / "ami_meeting_4spk_60s" / "sources"
    a_src = load_audio(d / "source1.wav").samples[0]  # FEE013: long turn 7.4-29.8 s
    b_src = load_audio(d / "source0.wav").samples[0]  # MEO015: turn 44.5-60 s
    sr = 16000
    totals = {"tp": 0, "fp": 0, "fn": 0, "onset_errors_s": []}
    for trial in range(trials):
        turn = a_src[int((8 + rng.uniform(0, 12)) * sr) :][: 6 * sr]
        kind = ("cut_in", "backchannel", "handover")[trial % 3]
        b_start = int((45 + rng.uniform(0, 8)) * sr)
        if kind == "cut_in":
            clip = b_src[b_start : b_start + int(rng.uniform(1.5, 2.5) * sr)]
            at = rng.uniform(2.0, 3.5)
        elif kind == "backchannel":
            clip = b_src[b_start : b_start + int(rng.uniform(0.3, 0.45) * sr)]
            at = rng.uniform(2.0, 4.0)
        else:
            clip = b_src[b_start : b_start + int(2 * sr)]
            at = 6.6
        n = int(10 * sr)
        ch_a = np.zeros(n, np.float32)
        ch_b = np.zeros(n, np.float32)
        ch_a[sr : sr + turn.size] = turn
        s = int((1 + at) * sr)
        ch_b[s : s + clip.size] = clip
        audio = DecodedAudio(np.stack([ch_a, ch_b]), sr, sr, f"trial{trial}")
        res = run_analyzer(audio, ChannelRoles(agent=1, customer=0), cfg)
        det = [(e.speaker, e.start_s) for e in res.events if e.kind == "interruption"]
        # Reference onset: where the clip's own speech begins (first frame over -45 dBFS).
        ref = []
        if kind == "cut_in":
            ref = [RefInterruption("agent", 1 + at + _speech_onset_s(clip, sr))]
        sc = score(det, ref)
        for k in ("tp", "fp", "fn"):
            totals[k] += sc[k]
        totals["onset_errors_s"] += sc["onset_errors_s"]
    return _summary(totals)


def main() -> None:
    out = {"ami": ami_pairs(), "known_offsets": known_offsets()}
    print(json.dumps(out, indent=1, default=float))


if __name__ == "__main__":
    main()
