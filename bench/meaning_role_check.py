"""A one-off check of the role kinds' act rule (issue 14, session 19): sentences written by H3
AFTER the rule was frozen (``meaning_cues.role_act_options``, bank with
``meaning_role_negatives.py``), scored once, not tuned on. Role-word sentences that are not
offers or requests (each must give no role cue) and offers / requests in words the cue sets do
not use. Written text only. Scored once (session 19): with a bank built
``build_meaning_bank.py --role-negatives``, 0 of the 24 role-word sentences gave a role cue and
the role kinds found 9 of the 12 acts (phrases alone 8); with the packaged bank 1 of 24 ("I could
get you a copy of the supervisor's notes by email."), acts 9 of 12.

Run: ``python bench/meaning_role_check.py`` (prints every role cue, phrases alone and with the
role kinds on, and the counts).
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

#: (speaker, text, the role kind it carries or "")
SENTENCES: tuple[tuple[str, str, str], ...] = (
    # agent: a role named, no offer
    ("agent", "My supervisor is the one who set up these new call scripts.", ""),
    ("agent", "I'll let my manager know you were happy with the engineer.", ""),
    ("agent", "Can I just check with my team leader what the cut-off date is?", ""),
    ("agent", "The senior advisor on the case left a note saying it's resolved.", ""),
    ("agent", "Shall I read back what the manager agreed with you last time?", ""),
    ("agent", "I could get you a copy of the supervisor's notes by email.", ""),
    ("agent", "Our managers are reviewing all the complaints from that week.", ""),
    ("agent", "I'm going to update the ticket so my supervisor has the full picture.", ""),
    ("agent", "Would you like the manager's reference number for your records?", ""),
    ("agent", "My team leader has been off, so the replies have been slow.", ""),
    ("agent", "If you want, I can send you the letter my manager signed.", ""),
    ("agent", "You won't need a supervisor for this, I can do it myself.", ""),
    # customer: a role named, no request
    ("customer", "My manager at work said I could take the call in the meeting room.", ""),
    ("customer", "I can't speak long, my boss is watching.", ""),
    ("customer", "Can you tell me what the supervisor wrote in the notes?", ""),
    ("customer", "I already spoke to your team leader twice this week.", ""),
    ("customer", "I need to forward this to my line manager for approval.", ""),
    ("customer", "Your manager sent me a lovely apology, to be fair.", ""),
    ("customer", "Could you post the manager's decision to my home address?", ""),
    ("customer", "I'd like the refund the supervisor agreed, that's all.", ""),
    ("customer", "The branch manager was really rude to my wife.", ""),
    ("customer", "I want to let my boss know the internet will be back tomorrow.", ""),
    ("customer", "Is there a manager's email I can complain to later?", ""),
    ("customer", "Honestly I don't want a supervisor, I just want it working.", ""),
    # offers
    ("agent", "I can see whether someone a level above me is free to take this on.", "supervisor_offer"),
    ("agent", "Happy to hand you over to my senior if you'd rather go through it with her.", "supervisor_offer"),
    ("agent", "Would it be better if my team manager picked this up with you directly?", "supervisor_offer"),
    ("agent", "I could put you through to the person who can overrule me, if you want.", "supervisor_offer"),
    ("agent", "Let me ask my supervisor to phone you once she's off her call.", "supervisor_offer"),
    ("agent", "If you'd like a second opinion, I'll get the shift manager over.", "supervisor_offer"),
    # requests
    ("customer", "I'd rather deal with whoever signs these decisions off.", "manager_request"),
    ("customer", "Can you fetch somebody more senior than you, please?", "manager_request"),
    ("customer", "Let me talk to the person who actually makes the calls there.", "manager_request"),
    ("customer", "I want someone with the power to fix this on the phone now.", "manager_request"),
    ("customer", "Could you pass me up the chain, because this isn't working.", "manager_request"),
    ("customer", "Transfer me to your team leader, I've explained this three times.", "manager_request"),
)


def main() -> int:
    phrases = CueMatcher.from_file()
    phrases.meaning = None
    role = CueMatcher.from_file()
    role.meaning = default_finder(role_act_options())
    counts = {}
    for name, m in (("phrases", phrases), ("+meaning role-act", role)):
        tp = fn = fp = 0
        for spk, text, kind in SENTENCES:
            got = {
                (c.kind, c.source)
                for c in m.find_cues([bench_cues.text_segment(spk, text)], customer_name=None)
                if c.kind in ("supervisor_offer", "manager_request")
            }
            kinds = {k for k, _ in got}
            if kind:
                tp += kind in kinds
                fn += kind not in kinds
            fp += len(kinds - {kind})
            if got or kind:
                print(f"  [{name}] {spk}: {text} -> {sorted(got)} (want {kind or 'none'})")
        counts[name] = (tp, fn, fp)
    n_pos = sum(1 for _, _, k in SENTENCES if k)
    print(f"\n{len(SENTENCES) - n_pos} role-word sentences without the act, {n_pos} offers/requests")
    for name, (tp, fn, fp) in counts.items():
        print(f"  {name}: found {tp} of {tp + fn} acts, {fp} false role cues")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
