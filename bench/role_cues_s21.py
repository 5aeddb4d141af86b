"""The role kinds (supervisor offers, manager requests) on written text, everywhere they are
labelled (issue 14, session 21): the eight cue sets, session 19's and session 20's role checks,
session 19's 70 role-word negatives, and this session's list of escalation wordings and hard
negatives (:data:`TURNS`). The packaged matcher (cue file and meaning rule as shipped).

Why: a role cue raises an escalation flag, so a change to the role classes or to the reported-act
rule (``models/speech/reported.py``) is judged on every labelled role sentence at once, per kind,
with its false cues. ``fresh7`` is spent (scored once in session 20), and :data:`TURNS` was
written by the author of the session-21 classes while writing them: all of this is DEVELOPMENT
data, not held out.

Run: ``python bench/role_cues_s21.py [--show] [--json J]`` (``--show``: every false role cue and
every miss, except those of the blind sets fresh2 ... fresh7).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import bench_cues  # noqa: E402
import meaning_role_check  # noqa: E402
import meaning_role_check_s20  # noqa: E402
import meaning_role_negatives  # noqa: E402

from calltone.models.speech.cues import CueMatcher  # noqa: E402
from calltone.models.speech.meaning_cues import default_finder, role_act_options  # noqa: E402

ROLE_KINDS = ("supervisor_offer", "manager_request")
SETS = ("dev", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7")
#: Sets whose misses are not printed (blind sets: their wordings must not be tuned on).
QUIET = ("fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7")

#: (speaker, turn, the role kind it carries or "") written in session 21 by H4 for the classes
#: of issue 14's list ("nab", "above / over you", "over your head", long insistence, escalations,
#: a senior agent's callback) and their hard negatives; used while the classes were written.
TURNS: tuple[tuple[str, str, str], ...] = (
    # manager requests
    ("customer", "Can you nab your manager for me, please?", "manager_request"),
    ("customer", "I want someone above you on this call.", "manager_request"),
    ("customer", "Let me speak to whoever is over you.", "manager_request"),
    ("customer", "Put me through to the person above you.", "manager_request"),
    ("customer", "Who do you report to? I want to talk to them.", "manager_request"),
    ("customer", "I want whoever you answer to.", "manager_request"),
    ("customer", "I'm going over your head on this one.", "manager_request"),
    ("customer", "Right, I'll go over your head then.", "manager_request"),
    ("customer", "I'm not hanging up until I talk to a manager.", "manager_request"),
    ("customer", "I insist on speaking to someone in charge.", "manager_request"),
    ("customer", "Put someone in charge on the line.", "manager_request"),
    ("customer", "I won't get off the phone till I've spoken to your boss.", "manager_request"),
    ("customer", "I'm not going anywhere until someone senior picks up.", "manager_request"),
    ("customer", "I'll keep calling until I get a supervisor.", "manager_request"),
    ("customer", "I'm staying right here until your supervisor comes on.", "manager_request"),
    ("customer", "I demand to speak with your superiors.", "manager_request"),
    ("customer", "Escalate me to someone who can actually decide.", "manager_request"),
    ("customer", "I'd like a call back from a manager, please.", "manager_request"),
    ("customer", "Can your team leader ring me back this afternoon?", "manager_request"),
    ("customer", "Give me your supervisor.", "manager_request"),
    ("customer", "I'd like to raise this with someone more senior.", "manager_request"),
    ("customer", "Can I be put through to the escalations team?", "manager_request"),
    # supervisor offers
    ("agent", "Shall I nab my supervisor for you?", "supervisor_offer"),
    ("agent", "Let me loop in my team lead.", "supervisor_offer"),
    ("agent", "I can have a senior agent call you back.", "supervisor_offer"),
    ("agent", "I'll transfer you to escalations.", "supervisor_offer"),
    ("agent", "I can put you through to our escalations team.", "supervisor_offer"),
    ("agent", "Let me grab someone above me.", "supervisor_offer"),
    ("agent", "I can ask a senior advisor to call you back tomorrow.", "supervisor_offer"),
    ("agent", "I'll book you a callback with a team leader.", "supervisor_offer"),
    ("agent", "I can raise this to our escalations desk today.", "supervisor_offer"),
    ("agent", "I'll get my team lead on the line for you.", "supervisor_offer"),
    ("agent", "Would you like me to pass this to someone more senior?", "supervisor_offer"),
    ("agent", "I could bring my line manager into the call.", "supervisor_offer"),
    ("agent", "Let me see if my supervisor can jump on.", "supervisor_offer"),
    ("agent", "I'll arrange for a manager to phone you.", "supervisor_offer"),
    ("agent", "I can escalate this to my supervisor for you.", "supervisor_offer"),
    # hard negatives: figurative "over your head", "over you", a role's words reported, the
    # role absent, an act declined, "above" as a place, "nab" of a thing, escalations reported
    ("customer", "Honestly, the joke went right over your head.", ""),
    ("customer", "I think the whole thing is over your head, isn't it?", ""),
    ("customer", "I'm over you guys' service, to be honest.", ""),
    ("customer", "The manager of the store said I could return it.", ""),
    ("agent", "My supervisor is out today.", ""),
    ("agent", "My supervisor is out today, but I can help you.", ""),
    ("customer", "The last guy said he'd put me through to a manager.", ""),
    ("customer", "I already spoke to a manager yesterday.", ""),
    ("agent", "I offered to get a supervisor earlier but you said no.", ""),
    ("customer", "There's no need to get your manager involved.", ""),
    ("customer", "I'm not asking for your manager, just fix it.", ""),
    ("agent", "The man above me in the queue took ages.", ""),
    ("customer", "The flat above you is making noise? No, mine is.", ""),
    ("customer", "I have a new boss above me at work.", ""),
    ("customer", "I'll wait for my manager to sign it off.", ""),
    ("agent", "I nabbed the last slot for you on Tuesday.", ""),
    ("customer", "I'll hold until the payment goes through.", ""),
    ("agent", "Someone from escalations already emailed you about this.", ""),
    ("agent", "My team lead said she would call you, but I can't see a note.", ""),
    ("customer", "They promised a supervisor would ring me back and nobody did.", ""),
)

#: Written after the classes were committed (4c58bf2) and before anything was scored on it;
#: scored once, not tuned on (same author as the classes: a weak blind). Mostly hard negatives
#: near the new classes.
TURNS_AFTER: tuple[tuple[str, str, str], ...] = (
    ("customer", "My daughter nabbed the last ticket before I could.", ""),
    ("customer", "Can you grab the reference off the top of my letter?", ""),
    ("agent", "Let me grab your postcode and we'll get started.", ""),
    ("customer", "The woman above me in the flats gets her post fine.", ""),
    ("customer", "I'm not hanging up until you give me a date.", ""),
    ("customer", "I'm staying on the line until the payment clears.", ""),
    ("customer", "I'll wait for my manager to give me the go-ahead on the order.", ""),
    ("customer", "Don't go over my head like last time, just tell me.", ""),
    ("customer", "Half of this jargon goes over my head, to be fair.", ""),
    ("agent", "I'll try not to go over your head with the technical side.", ""),
    ("agent", "The escalations queue is about two weeks at the moment.", ""),
    ("agent", "Your case went to escalations in March and came back closed.", ""),
    ("customer", "Who does your manager report to? Just curious.", ""),
    ("customer", "I report to a regional director myself, so I get it.", ""),
    ("agent", "Whoever you spoke to last time didn't log the call.", ""),
    ("customer", "I don't have to speak to a supervisor, do I? I'm in a rush.", ""),
    ("customer", "The lady before you said her team leader would ring me.", ""),
    ("agent", "My team lead told me to offer you the credit, so that's done.", ""),
    ("customer", "I'm so over your company, honestly.", ""),
    ("customer", "The person above you on the rota was lovely last week.", ""),
    # acts in the new classes, other words
    ("customer", "Go and grab your supervisor, I'll wait.", "manager_request"),
    ("customer", "I'll be going over your head if this isn't sorted today.", "manager_request"),
    ("customer", "I won't get off this line till I've spoken to a manager.", "manager_request"),
    ("customer", "Patch me through to escalations, please.", "manager_request"),
    ("customer", "I want to talk to the one you answer to.", "manager_request"),
    ("agent", "I can pass this to our escalations team for a second look.", "supervisor_offer"),
    ("agent", "Let me nab my supervisor, she's just walked past.", "supervisor_offer"),
    ("customer", "I'm not leaving this call until a supervisor comes on.", "manager_request"),
)


def sources() -> dict[str, list[tuple[str, str, frozenset[str]]]]:
    out: dict[str, list[tuple[str, str, frozenset[str]]]] = {}
    for s in SETS:
        utts, _, _ = bench_cues.load_set(s)
        out[s] = [(spk, t, frozenset(k)) for spk, t, k in utts]

    def one(rows: tuple[tuple[str, str, str], ...]) -> list[tuple[str, str, frozenset[str]]]:
        return [(s, t, frozenset({k}) if k else frozenset()) for s, t, k in rows]

    out["role check s19"] = one(meaning_role_check.SENTENCES)
    out["role check s20"] = one(meaning_role_check_s20.TURNS)
    out["role negatives s19"] = list(meaning_role_negatives.utterances())
    out["role list s21"] = one(TURNS)
    out["role list s21 after"] = one(TURNS_AFTER)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--show", action="store_true", help="print false role cues and misses")
    ap.add_argument(
        "--escalation",
        choices=("file", "on", "off"),
        default="file",
        help="the meaning rule's escalation classes (cues.toml meaning_role_escalation_classes): "
        "as the cue file says, or forced on / off (role kinds, widened classes and pairs on)",
    )
    ap.add_argument("--json")
    args = ap.parse_args()
    m = CueMatcher.from_file()
    if args.escalation != "file" and m.meaning is not None:
        m.meaning = default_finder(
            role_act_options(wide_acts=True, pairs=True, escalation=args.escalation == "on")
        )
    print(f"meaning options: {None if m.meaning is None else m.meaning.options}")
    results: dict[str, dict[str, dict[str, int]]] = {}
    for name, utts in sources().items():
        counts = {k: {"tp": 0, "fn": 0, "fp": 0} for k in ROLE_KINDS}
        neg_with_role = 0
        for spk, text, truth in utts:
            got = {
                c.kind
                for c in m.find_cues([bench_cues.text_segment(spk, text)], customer_name=None)
                if c.kind in ROLE_KINDS
            }
            for k in ROLE_KINDS:
                key = "tp" if k in truth and k in got else "fn" if k in truth else "fp" if k in got else ""
                if key:
                    counts[k][key] += 1
                    if args.show and key != "tp" and (name not in QUIET or key == "fp"):
                        print(f"  [{name}] {key} {k}: {spk}: {text}")
            neg_with_role += (not truth) and bool(got)
        results[name] = {**counts, "negatives": {"n": sum(1 for *_, t in utts if not t),
                                                  "with_role_cue": neg_with_role}}
    print(f"{'source':20s} {'supervisor_offer':>24s} {'manager_request':>24s}   negatives with a role cue")
    for name, r in results.items():
        cells = []
        for k in ROLE_KINDS:
            c = r[k]
            rec = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else float("nan")
            pre = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else float("nan")
            cells.append(f"{c['tp']:3d}/{c['tp'] + c['fn']:<3d} fp {c['fp']:<2d} {rec:.2f}/{pre:.2f}")
        n = r["negatives"]
        print(f"{name:20s} {cells[0]:>24s} {cells[1]:>24s}   {n['with_role_cue']} of {n['n']}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
