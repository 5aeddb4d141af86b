"""Diarization error rate (DER) on a 10 ms grid, with a forgiveness collar and overlap scored.

DER = (missed speech + false alarm + speaker confusion) / reference speech, where a frame in
which two reference speakers talk counts twice (overlap scored, as md-eval does by default).
Frames within ``collar_s`` of any reference segment boundary are not scored. Hypothesis
speakers are mapped to reference speakers one-to-one to maximise agreement (Hungarian).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

Segment = tuple[float, float, str]
"""(start_s, end_s, speaker label)."""

HOP_S = 0.01


@dataclass(frozen=True)
class DerResult:
    """Error components in seconds and the rate."""

    reference_s: float
    missed_s: float
    false_alarm_s: float
    confusion_s: float

    @property
    def der(self) -> float:
        return (
            (self.missed_s + self.false_alarm_s + self.confusion_s) / self.reference_s
            if self.reference_s > 0
            else 0.0
        )


def load_rttm(path: str | Path, file_id: str | None = None) -> list[Segment]:
    """SPEAKER lines of an RTTM file (only ``file_id``'s when given)."""
    out: list[Segment] = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) < 8 or parts[0] != "SPEAKER":
            continue
        if file_id is not None and parts[1] != file_id:
            continue
        start, dur = float(parts[3]), float(parts[4])
        out.append((start, start + dur, parts[7]))
    return out


def segments_from_mask(mask: np.ndarray, label: str, hop_s: float = HOP_S) -> list[Segment]:
    """Runs of True in a per-frame mask as segments."""
    m = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    d = np.diff(m.astype(np.int8))
    starts, ends = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
    return [(s * hop_s, e * hop_s, label) for s, e in zip(starts, ends, strict=True)]


def _matrix(segs: Sequence[Segment], n: int) -> tuple[np.ndarray, list[str]]:
    labels = sorted({s[2] for s in segs})
    m = np.zeros((n, len(labels)), dtype=bool)
    for start, end, lab in segs:
        m[round(start / HOP_S) : round(end / HOP_S), labels.index(lab)] = True
    return m, labels


def der(
    reference: Sequence[Segment],
    hypothesis: Sequence[Segment],
    *,
    collar_s: float = 0.25,
    uem_end_s: float | None = None,
) -> DerResult:
    """Score ``hypothesis`` against ``reference`` (see module docstring)."""
    end = uem_end_s or max([e for _, e, _ in [*reference, *hypothesis]], default=0.0)
    n = int(np.ceil(end / HOP_S)) + 1
    ref, _ = _matrix(reference, n)
    hyp, _ = _matrix(hypothesis, n)
    scored = np.ones(n, dtype=bool)
    c = round(collar_s / HOP_S)
    for start, stop, _ in reference:
        for t in (start, stop):
            i = round(t / HOP_S)
            scored[max(0, i - c) : i + c] = False
    ref, hyp = ref[scored], hyp[scored]
    n_ref, n_hyp = ref.sum(axis=1), hyp.sum(axis=1)
    if ref.shape[1] and hyp.shape[1]:
        agree = ref.T.astype(np.int64) @ hyp.astype(np.int64)
        rows, cols = linear_sum_assignment(-agree)
        mapped = np.zeros(ref.shape[0], dtype=np.int64)
        for r, h in zip(rows, cols, strict=True):
            mapped += ref[:, r] & hyp[:, h]
        correct_frames = mapped
    else:
        correct_frames = np.zeros(ref.shape[0], dtype=np.int64)
    missed = np.maximum(0, n_ref - n_hyp).sum()
    fa = np.maximum(0, n_hyp - n_ref).sum()
    conf = (np.minimum(n_ref, n_hyp) - correct_frames).sum()
    return DerResult(
        reference_s=float(n_ref.sum() * HOP_S),
        missed_s=float(missed * HOP_S),
        false_alarm_s=float(fa * HOP_S),
        confusion_s=float(conf * HOP_S),
    )
