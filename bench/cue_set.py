"""A labelled set of contact-centre utterances for the phrase cues (issue 14).

Each entry is (speaker, text, cue kinds a person would mark in it). Positives are written as agents
and customers say them (not copied from the cue file's patterns), with hard negatives beside
them: the same words in another sense ("come down to the store", "my manager asked me to call"),
a "refund" that is refused. The customer's name is ``CUSTOMER_NAME``. ``bench/bench_cues.py``
speaks them with espeak-ng through a telephone channel, transcribes them and scores every kind.
"""

from __future__ import annotations

CUSTOMER_NAME = "Sarah Jones"

Labelled = tuple[str, str, frozenset[str]]


def _e(speaker: str, text: str, *kinds: str) -> Labelled:
    return (speaker, text, frozenset(kinds))


UTTERANCES: tuple[Labelled, ...] = (
    # empathy
    _e("agent", "I understand how frustrating this must be for you.", "empathy"),
    _e("agent", "I can see why you are upset about this.", "empathy"),
    _e("agent", "That must be really frustrating.", "empathy"),
    _e("agent", "I completely understand, and I would feel the same way.", "empathy"),
    _e("agent", "I know how frustrating it is to wait this long.", "empathy"),
    _e("agent", "I would be upset too if that happened to me.", "empathy"),
    # specific apology
    _e("agent", "I'm so sorry about the delay with your order.", "specific_apology"),
    _e("agent", "I apologize for the double charge on your card.", "specific_apology"),
    _e("agent", "I'm really sorry that your package arrived damaged.", "specific_apology"),
    _e("agent", "Sorry to hear your internet has been down all week.", "specific_apology"),
    _e("agent", "We apologize for the mix up with your billing.", "specific_apology"),
    _e("agent", "I'm sorry you had to wait on hold for so long.", "specific_apology"),
    # bare apology
    _e("agent", "I'm sorry about that.", "bare_apology"),
    _e("agent", "Oh, I'm so sorry.", "bare_apology"),
    _e("agent", "Okay, sorry about that, let me look.", "bare_apology"),
    _e("agent", "I apologize.", "bare_apology"),
    _e("agent", "My apologies, ma'am.", "bare_apology"),
    _e("agent", "We're very sorry for the inconvenience.", "bare_apology"),
    # the customer's name
    _e("agent", "Thank you, Sarah, let me pull up your account.", "customer_name_used"),
    _e("agent", "Sarah, I can look into that right now.", "customer_name_used"),
    _e("agent", "Okay Sarah, give me one moment.", "customer_name_used"),
    _e("agent", "Is that right, Miss Jones?", "customer_name_used"),
    _e("agent", "Alright Sarah, I see the problem now.", "customer_name_used"),
    # negative phrasing
    _e("agent", "I can't do that.", "negative_phrasing"),
    _e("agent", "You need to calm down.", "negative_phrasing"),
    _e("agent", "Please calm down, sir.", "negative_phrasing"),
    _e("agent", "That's our policy.", "negative_phrasing"),
    _e("agent", "There's nothing I can do about it.", "negative_phrasing"),
    _e("agent", "That's not possible.", "negative_phrasing"),
    # blame passing
    _e("agent", "That's another department, not us.", "blame_passing"),
    _e("agent", "It's not our fault, the courier lost it.", "blame_passing"),
    _e("agent", "The system did that, not me.", "blame_passing"),
    _e("agent", "That was the courier, they made the mistake.", "blame_passing"),
    _e("agent", "It's the system, it does that sometimes.", "blame_passing"),
    # bouncing
    _e("agent", "You'll have to call the billing team.", "bouncing"),
    _e("agent", "I'll transfer you to another department.", "bouncing"),
    _e("agent", "You need to call back later.", "bouncing"),
    _e("agent", "You will need to contact the store directly.", "bouncing"),
    _e("agent", "That's handled by another team.", "bouncing"),
    # solution offer
    _e("agent", "Here's what I can do for you.", "solution_offer"),
    _e("agent", "I can offer you a full refund.", "solution_offer"),
    _e("agent", "I can send you a replacement today.", "solution_offer"),
    _e("agent", "What I can do is expedite the shipping.", "solution_offer"),
    _e("agent", "One option is to give you store credit.", "solution_offer"),
    # ownership
    _e("agent", "I'll take care of this for you personally.", "ownership"),
    _e("agent", "Leave it with me.", "ownership"),
    _e("agent", "I'll follow up with you tomorrow.", "ownership"),
    _e("agent", "I will call you back by the end of the day.", "ownership"),
    _e("agent", "I'll make sure this gets fixed.", "ownership"),
    # paraphrasing
    _e("agent", "Let me make sure I understand.", "paraphrasing"),
    _e("agent", "So what you're saying is the bill doubled.", "paraphrasing"),
    _e("agent", "Just to confirm, the order never arrived?", "paraphrasing"),
    _e("agent", "If I understand correctly, you were charged twice.", "paraphrasing"),
    _e("agent", "What I'm hearing is that the app keeps crashing.", "paraphrasing"),
    # boundary setting
    _e("agent", "Let's keep this respectful so we can fix it.", "boundary_setting"),
    _e("agent", "Please don't use that language with me.", "boundary_setting"),
    _e("agent", "I'm here to help, but I won't accept being yelled at.", "boundary_setting"),
    _e("agent", "I can't continue this conversation if you keep swearing.", "boundary_setting"),
    _e("agent", "I'd ask you not to swear, please.", "boundary_setting"),
    # supervisor offer
    _e("agent", "Would you like to speak to my supervisor?", "supervisor_offer"),
    _e("agent", "I'll bring in my supervisor.", "supervisor_offer"),
    _e("agent", "Let me get my manager for you.", "supervisor_offer"),
    _e("agent", "I can escalate this for you.", "supervisor_offer"),
    _e("agent", "I can transfer you to a supervisor.", "supervisor_offer"),
    # closing
    _e("agent", "Is there anything else I can help you with today?", "closing"),
    _e("agent", "Thank you for calling, and have a great day.", "closing"),
    _e("agent", "Thanks for calling.", "closing"),
    _e("agent", "Have a good day.", "closing"),
    _e("agent", "Thank you for your patience.", "closing"),
    # abuse (customer)
    _e("customer", "This is bullshit.", "abuse"),
    _e("customer", "You are an idiot.", "abuse"),
    _e("customer", "Shut up and listen to me.", "abuse"),
    _e("customer", "You people are useless.", "abuse"),
    _e("customer", "What is wrong with you, you moron.", "abuse"),
    _e("customer", "Go to hell.", "abuse"),
    # manager request (customer)
    _e("customer", "I want to speak to your manager.", "manager_request"),
    _e("customer", "Let me talk to a supervisor.", "manager_request"),
    _e("customer", "Get me a supervisor right now.", "manager_request"),
    _e("customer", "Can I speak to a manager please?", "manager_request"),
    _e("customer", "Put me through to your manager.", "manager_request"),
    # hard negatives: the same words in another sense
    _e("agent", "Let me get my coffee and I will be right back."),
    _e("agent", "You can come down to the store any time."),
    _e("agent", "Prices should come down next month."),
    _e("agent", "I can see your account here."),
    _e("agent", "We do not offer refunds on sale items."),
    _e("agent", "The supervisor of the warehouse signed for it."),
    _e("agent", "My manager told me about the new system."),
    _e("agent", "Your order shipped yesterday."),
    _e("agent", "Can you spell your last name for me?"),
    _e("agent", "Let me transfer the money to your account."),
    _e("agent", "Thank you for that, one moment please."),
    _e("agent", "I understand the order number is five two one."),
    _e("customer", "I called yesterday and nobody answered."),
    _e("customer", "My manager asked me to call you."),
    _e("customer", "The supervisor at the store said it was fine."),
    _e("customer", "I'm so frustrated with this."),
    _e("customer", "Hello, I'm calling about my bill."),
    _e("customer", "The hell of it is that it worked yesterday."),
)

#: Espeak-ng voice and telephone condition pairs the set is spoken with (the original run).
VOICES: tuple[tuple[str, str], ...] = (("en-us+m3", "nb_ulaw"), ("en-us+f2", "nb_gsm_noise20"))

# A development half and a held-out half, split by sentence *and* by voice: anything tuned (the
# second pass's thresholds, its hotwords) is tuned on DEV sentences spoken by DEV_VOICES and
# reported on HELDOUT sentences spoken by HELDOUT_VOICES, which it never heard. Sentences
# alternate inside each block of one cue kind (so each kind has about half its positives on each
# side); the hard negatives alternate too. Caveat: the matcher's near-miss patterns in cues.toml
# ("super miner", "come down") were written from the original run of both voices of VOICES on
# every sentence, before this split.
DEV_VOICES: tuple[str, ...] = ("en-us+m3", "en-us+f2")
HELDOUT_VOICES: tuple[str, ...] = ("en-gb-x-rp+m5", "en-us+f4")
#: Channels every voice is passed through: wideband beside the two narrowband ones.
CONDITIONS: tuple[str, ...] = ("wideband", "nb_ulaw", "nb_gsm_noise20")


def half(name: str) -> tuple[tuple[Labelled, ...], tuple[str, ...]]:
    """The sentences and voices of ``"dev"`` or ``"heldout"``."""
    if name not in ("dev", "heldout"):
        raise ValueError(f"half must be 'dev' or 'heldout', got {name!r}")
    k = 0 if name == "dev" else 1
    return UTTERANCES[k::2], (DEV_VOICES if name == "dev" else HELDOUT_VOICES)
