"""A one-off check of the role kinds' widened act classes and split acts (issue 14, session 20):
turns written by H4 AFTER the rule was committed (68bed0d: ``meaning_cues.WIDE_ACT_FORMS`` /
``WIDE_ACT_VERBS``, ``act_pair_lends``) and before anything was scored; scored once, not tuned
on. Hard negatives (a role named near the widened words with no offer or request: a caller's own
boss, approvals, consultations, reported offers, a neighbour sentence without the role) and
offers / requests by new routes or split over two sentences (39 turns: 25 and 14). Same author
as the rule: a weak blind. Written text, each turn one segment (words 0.3 s apart, so two
sentences are one turn).

Run: ``python bench/meaning_role_check_s20.py`` (prints every role cue of each system and the
counts: the phrases, session 19's role-act rule, + widened classes, + split acts, + both).
Heard: ``python bench/meaning_role_check_s20.py --heard --set dev --cache C [--cached-only]
--meaning on --meaning-kinds role-act [--meaning-wide-acts] [--meaning-pairs] --json J`` runs
``bench_cues.py`` on these turns as its set (fresh6's two voices, three channels, tiny.en).
Scored once (session 20, packaged bank): offers / requests found 4 (phrases), 5 (role-act),
8 (+ wide acts), 6 (+ pairs), 9 of 14 (+ both); false role cues 1 (phrases: "They told me a
supervisor would ring you, ...") and 2 in every role-act column (that one and "I'll pass your
kind words on to my supervisor, ...", a meaning cue of session 19's rule): none added. Heard
(234 clips): supervisor offers 12 -> 13 of 48 clips, manager requests 4 -> 6 of 36 (role-act ->
both), false role cues 1 of 150 hard-negative clips in every role-act column (the same clip).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import bench_cues  # noqa: E402

from calltone.models.speech.cues import CueMatcher  # noqa: E402
from calltone.models.speech.meaning_cues import default_finder, role_act_options  # noqa: E402

#: (speaker, turn, the role kind it carries or "")
TURNS: tuple[tuple[str, str, str], ...] = (
    # agent: a role named near the widened words, no offer
    ("agent", "My team lead is the one who bumped the prices up last month.", ""),
    ("agent", "I'll pass your kind words on to my supervisor, she'll be chuffed.", ""),
    ("agent", "The manager upstairs has the final say on refunds, I'm afraid.", ""),
    ("agent", "I had to run it past my supervisor, and she said no.", ""),
    ("agent", "Our higher-ups changed the policy, so my hands are tied.", ""),
    ("agent", "I could send the complaint letter my manager wrote to your email.", ""),
    ("agent", "My lead reached out to the courier yesterday about your parcel.", ""),
    ("agent", "They told me a supervisor would ring you, but I can't see a note of it.", ""),
    ("agent", "Let me just check with my team lead what the cut-off is, one second.", ""),
    ("agent", "Management have asked us to keep calls under ten minutes.", ""),
    ("agent", "Do you want me to send the engineer's report to your manager at work?", ""),
    # agent: two sentences, the second not lending an offer
    ("agent", "My supervisor signed this off this morning. I can email it to you now.", ""),
    ("agent", "My manager is off sick today. She'll be back on Monday.", ""),
    ("agent", "I've spoken to my team leader. He says the fee stands.", ""),
    ("agent", "I asked my boss about the fee already. He won't budge on it, sorry.", ""),
    # customer: a role named near the widened words, no request
    ("customer", "I'll wait for my manager to approve the time off first.", ""),
    ("customer", "My boss will kick off if I'm late again.", ""),
    ("customer", "I held on for a supervisor for forty minutes last Tuesday.", ""),
    ("customer", "The last chap said he'd get his manager to ring me, and nobody did.", ""),
    ("customer", "My team lead reached out to your company last month about the bulk order.", ""),
    ("customer", "I'm waiting for the manager's letter before I pay anything.", ""),
    ("customer", "I'll hold on, but can you check the delivery date for me?", ""),
    # customer: two sentences, no request
    ("customer", "My manager gave me the afternoon off. I want to use it to sort this out.", ""),
    ("customer", "My boss is right next to me. She wants this fixed today.", ""),
    ("customer", "The supervisor I spoke to was lovely. I want her to know that.", ""),
    # offers: new routes, and split over two sentences
    ("agent", "Tell you what, I'll kick this upstairs to my team manager right now.", "supervisor_offer"),
    ("agent", "I can loop my lead in, she's got more leeway on refunds.", "supervisor_offer"),
    ("agent", "If you'd rather, I can get a higher-up to give you a buzz later today.", "supervisor_offer"),
    ("agent", "My shift manager's just here. Shall I nab her for you?", "supervisor_offer"),
    ("agent", "My supervisor's free in five minutes. I can pop you over to her then.", "supervisor_offer"),
    ("agent", "Someone senior can take a look at this. Want me to arrange it?", "supervisor_offer"),
    ("agent", "Let me bounce you up to my team leader, she'll know more.", "supervisor_offer"),
    ("agent", "I'll get a senior colleague to reach out to you by tomorrow.", "supervisor_offer"),
    # requests: insistence, new routes, split over two sentences
    ("customer", "I'm not budging till a manager comes on the line.", "manager_request"),
    ("customer", "I'll stay on the line as long as it takes for your supervisor.", "manager_request"),
    ("customer", "Your boss. I want to speak to him, now.", "manager_request"),
    ("customer", "Kick me upstairs to whoever's in charge, please.", "manager_request"),
    ("customer", "Somebody above you, please. Put them on.", "manager_request"),
    ("customer", "I'm happy to wait for a senior person, I've got the whole morning.", "manager_request"),
)

ROLE_KINDS = ("supervisor_offer", "manager_request")


def heard(argv: list[str]) -> int:
    """These turns as ``bench_cues.py``'s set (the voices of fresh6, its three channels):
    ``--heard`` + bench_cues.py's own arguments (its ``--set`` must be given and is ignored)."""
    def load_set(name: str) -> tuple[tuple[bench_cues.Labelled, ...], str, tuple[str, ...]]:
        utts = tuple((s, t, frozenset({k}) if k else frozenset()) for s, t, k in TURNS)
        return utts, "", ("en-us+f1", "en-gb-x-gbclan+m4")

    bench_cues.load_set = load_set  # type: ignore[assignment]
    return bench_cues.main(argv)


def main() -> int:
    if "--heard" in sys.argv[1:]:
        return heard([a for a in sys.argv[1:] if a != "--heard"])
    systems: dict[str, CueMatcher] = {}
    for name, opts in (
        ("phrases", None),
        ("role-act (s19)", role_act_options()),
        ("+ wide acts", role_act_options(wide_acts=True)),
        ("+ pairs", role_act_options(pairs=True)),
        ("+ both", role_act_options(wide_acts=True, pairs=True)),
    ):
        m = CueMatcher.from_file()
        m.meaning = None if opts is None else default_finder(opts)
        systems[name] = m
    counts = {}
    for name, m in systems.items():
        tp = fn = fp = 0
        for spk, text, kind in TURNS:
            got = {
                (c.kind, c.source)
                for c in m.find_cues([bench_cues.text_segment(spk, text)], customer_name=None)
                if c.kind in ROLE_KINDS
            }
            kinds = {k for k, _ in got}
            if kind:
                tp += kind in kinds
                fn += kind not in kinds
            fp += len(kinds - {kind})
            if got or kind:
                print(f"  [{name}] {spk}: {text} -> {sorted(got)} (want {kind or 'none'})")
        counts[name] = (tp, fn, fp)
    n_pos = sum(1 for _, _, k in TURNS if k)
    print(f"\n{len(TURNS) - n_pos} role-word turns without the act, {n_pos} offers/requests")
    for name, (tp, fn, fp) in counts.items():
        print(f"  {name}: found {tp} of {tp + fn} acts, {fp} false role cues")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
