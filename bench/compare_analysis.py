"""Behaviour check across a refactor: the same calls analysed and scored by two checkouts.

Runs ``calltone analyze`` (JSON) on every bundled sample and on the real-data calls under
``../shared/data`` (the two-speaker phone call, mono and ``--separate``; the calm LCA call as a
two-channel file; the LCA agent-only recording; a G.711 copy of the escalation sample), and
``calltone score`` on the samples, once with this checkout and once with ``--root OLD`` (another
checkout, e.g. ``git worktree add /tmp/before <commit>``), then reports every difference.
Wall-clock fields (``elapsed``/``*_ms`` timings of the run itself) are ignored; everything else must
match exactly.

Each checkout runs in its own interpreter with its own source tree first on ``sys.path``, so the
comparison needs no second install. A checkout from before the ``calltone.*`` namespace (issue 17)
is run as ``python -m service.cli``; a newer one as ``python -m calltone.service.cli``.

Usage::

    git worktree add /tmp/before <commit>
    python bench/compare_analysis.py --root /tmp/before [--keep DIR] [--no-transcribe]
        [--ignore KEY ...] [--cases analyze:,score:calm]

Exit status 0 when every output is identical, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]
DATA = HERE.parent / "shared" / "data"
# Keys whose values are timings of this run, not results.
VOLATILE_KEYS = frozenset({"elapsed_s", "wall_s", "runtime_s", "processing_s", "generated_at"})


@dataclass(frozen=True)
class Case:
    """One command to run in both checkouts."""

    name: str
    args: tuple[str, ...]
    output: str  # "stdout" (JSON on stdout) or "dir" (scorecard JSON files in --out)


def _cli_module(root: Path) -> str:
    """``calltone.service.cli`` once the checkout installs the namespace (issue 17)."""
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    return "calltone.service.cli" if "package-dir" in text else "service.cli"


def _env(root: Path, work: Path) -> dict[str, str]:
    """The environment that makes ``python -m`` run ``root``'s code (the shim lives in ``work``)."""
    env = dict(os.environ)
    if _cli_module(root) == "service.cli":
        env["PYTHONPATH"] = str(root)
    else:
        # The namespace checkout: map calltone.* onto this tree through a shim package.
        pkg = work / f"shim-{abs(hash(str(root)))}" / "calltone"
        pkg.mkdir(parents=True, exist_ok=True)
        (pkg / "__init__.py").write_text(f"__path__ = [{str(root)!r}]\n", encoding="utf-8")
        env["PYTHONPATH"] = str(pkg.parent)
    return env


def _make_inputs(work: Path) -> list[Case]:
    samples = sorted((HERE / "samples").glob("*/call.wav"))
    cases = [Case(f"analyze:{p.parent.name}", ("analyze", str(p)), "stdout") for p in samples]
    cases += [
        Case(f"score:{p.parent.name}", ("score", str(p), "--no-progress"), "dir") for p in samples
    ]
    esc = HERE / "samples" / "escalation_call" / "call.wav"
    ulaw = work / "escalation_ulaw.wav"
    if shutil.which("sox"):
        subprocess.run(
            ["sox", str(esc), "-r", "8000", "-e", "u-law", str(ulaw)], check=True
        )
        cases.append(Case("analyze:escalation_ulaw", ("analyze", str(ulaw)), "stdout"))
    phone = DATA / "phone_call_2spk" / "sample.wav"
    if phone.exists():
        cases.append(Case("analyze:phone_call", ("analyze", str(phone)), "stdout"))
        cases.append(
            Case("analyze:phone_call_separate", ("analyze", str(phone), "--separate"), "stdout")
        )
    lca = DATA / "lca_calls"
    agent, caller = lca / "Auto_Repairs_40_UTC_agent.flac", lca / "Auto_Repairs_40_UTC_caller.flac"
    if agent.exists() and caller.exists():
        import numpy as np
        import soundfile as sf

        a, sr_a = sf.read(agent, dtype="float32")
        c, sr_c = sf.read(caller, dtype="float32")
        if sr_a == sr_c:
            n = min(len(a), len(c))
            stereo = work / "lca_auto_repairs.wav"
            sf.write(stereo, np.stack([a[:n], c[:n]], axis=1), sr_a)
            cases.append(Case("analyze:lca_call", ("analyze", str(stereo)), "stdout"))
    if (lca / "agent.flac").exists():
        cases.append(Case("analyze:lca_agent", ("analyze", str(lca / "agent.flac")), "stdout"))
    return cases


def _strip(value: Any, root: Path, ignore: frozenset[str]) -> Any:
    """Drop run timings; a path inside either checkout (the packaged rubric, the bundled samples
    both runs read from this one) becomes its file name."""
    if isinstance(value, dict):
        return {k: _strip(v, root, ignore) for k, v in value.items() if k not in ignore}
    if isinstance(value, list):
        return [_strip(v, root, ignore) for v in value]
    if isinstance(value, str) and value.startswith((str(root) + os.sep, str(HERE) + os.sep)):
        return Path(value).name
    return value


def _run(root: Path, case: Case, out_dir: Path, work: Path, ignore: frozenset[str]) -> Any:
    cmd = [sys.executable, "-m", _cli_module(root), *case.args]
    if case.output == "dir":
        cmd += ["--out", str(out_dir)]
    proc = subprocess.run(
        cmd, cwd=root, env=_env(root, work), capture_output=True, text=True, timeout=900
    )
    if proc.returncode != 0:
        return {"exit": proc.returncode, "stderr": proc.stderr[-2000:]}
    if case.output == "stdout":
        return _strip(json.loads(proc.stdout), root, ignore)
    cards = sorted(out_dir.glob("*.scorecard.json"))
    return {p.name: _strip(json.loads(p.read_text(encoding="utf-8")), root, ignore) for p in cards}


def _diff(a: Any, b: Any, path: str = "$") -> list[str]:
    if type(a) is not type(b):
        return [f"{path}: {a!r:.80} != {b!r:.80}"]
    if isinstance(a, dict):
        out: list[str] = []
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                out.append(f"{path}.{key}: only in {'new' if key in a else 'old'}")
            else:
                out += _diff(a[key], b[key], f"{path}.{key}")
        return out
    if isinstance(a, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items != {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _diff(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r:.80} != {b!r:.80}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, required=True, help="the other checkout")
    parser.add_argument("--keep", type=Path, help="write both outputs of every case here")
    parser.add_argument(
        "--no-transcribe",
        action="store_true",
        help="acoustic analysis and acoustic scorecards only (Whisper left out of both runs)",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="KEY",
        help="a key added or changed on purpose since the other checkout (e.g. mode); repeatable",
    )
    parser.add_argument(
        "--cases", default="", help="comma-separated case-name substrings to run (default: all)"
    )
    args = parser.parse_args(argv)
    ignore = VOLATILE_KEYS | frozenset(args.ignore)
    wanted = [c for c in args.cases.split(",") if c]
    work = Path(tempfile.mkdtemp(prefix="calltone-compare-"))
    failures = 0
    try:
        for case in _make_inputs(work):
            if wanted and not any(w in case.name for w in wanted):
                continue
            if args.no_transcribe:
                case = Case(case.name, (*case.args, "--no-transcribe"), case.output)
            new = _run(HERE, case, work / "new" / case.name.replace(":", "_"), work, ignore)
            old = _run(
                args.root.resolve(), case, work / "old" / case.name.replace(":", "_"), work, ignore
            )
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                for tag, doc in (("new", new), ("old", old)):
                    name = f"{case.name.replace(':', '_')}.{tag}.json"
                    (args.keep / name).write_text(json.dumps(doc, indent=1), encoding="utf-8")
            diffs = _diff(new, old)
            print(f"{case.name:32s} {'identical' if not diffs else f'{len(diffs)} differences'}")
            for line in diffs[:10]:
                print("    " + line)
            failures += bool(diffs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{failures} of the cases differ" if failures else "all identical")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
