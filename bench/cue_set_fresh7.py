"""A seventh fresh, blind labelled set of call-centre utterances for the cue benchmark (issue 14).

What: about two hundred and forty single utterances (agent or customer), each labelled with every
cue kind a careful human annotator would mark: at least thirteen positives for each of the fifteen
kinds (about twenty each for ``supervisor_offer`` and ``manager_request``, which are reported on
their own), some utterances carrying two to four kinds, and about fifty hard negatives placed
beside the kind whose words they share ("I understand" meaning "I follow", "sorry" meaning
"pardon", a letter of apology that is only mentioned, a supervisor's approval reported after the
fact, an earlier offer of a manager told in the past tense, the customer's own boss, a customer
asking for a department rather than a superior or saying she does not want a manager, procedural
"so", "I'll", "let me" and "what I can see", reassurances built on "no", "don't" and "can't",
a courier, hospital or system named without blame, a team named without passing the customer on,
"anything else" and "before you go" mid-call, a customer saying goodbye, swearing at a router,
a customer calling herself an idiot, a compliment built like an insult, the customer's surname
as a street, routine talk).

How it was written: blind to the cue detectors. The author (helper H5, session 20) did not open,
grep or read models/speech/cues.toml, models/speech/cues.py, models/speech/meaning*.py,
models/speech/cue_pass.py, models/speech/verify.py, the meaning bank, bench/meaning_*.py,
bench/build_meaning_bank.py, tests of the cue detectors, or the cue sections of
docs/benchmarks_telephone.md. Read: the format of bench/cue_set_fresh6.py (its data structures
and a few of its first sentences; not the rest), bench/bench_cues.py (how a set is loaded and
spoken), tests/unit/models/test_cue_sets_blind.py (the format checks), docs/DESIGN.md and the
guidance texts in shared/seeds (what a trainer means by each cue). The wording imitates Scottish,
South African, Singaporean, Irish, Jamaican and American Southern English on banking, healthcare
billing, retail returns, energy, broadband, travel and government services: long turns with the
cue at the very end, four-to-six-word turns, requests split over two short sentences, indirect
offers of someone senior, hedges and politeness forms, slang ("gaffer", "lah", "eish", "ja",
"grand so", "y'all") and sarcasm as abuse. Labels follow the earlier sets' conventions: manager
requests and abuse are customer turns, every other kind is an agent turn; swearing at a situation
is not abuse; "sorry" meaning "pardon" is not an apology; an apology that names what went wrong
is specific, one that does not ("for the bother", "for any inconvenience") is bare; passing the
customer to another team, office or company is bouncing (a transfer to the agent's own superior
is a supervisor offer); ``customer_name_used`` is marked on exactly the agent turns that address
the customer by first or last name (not on a street that shares her surname).

Voices: two espeak-ng voices no earlier set used (``en-029+m3``, the Caribbean voice with a male
variant, and ``en-us-nyc+f2``, the New York voice with a female variant), picked from seven
candidates (also ``en-gb-scotland+f2``, ``+m3``, ``+f4``, ``en-029+f3``,
``en-gb-x-gbcwmd+f3``) as the most intelligible to tiny.en through wideband, G.711 and GSM on two
neutral sentences that are not in this set. Both variants change the synthesised audio
(``espeak-ng --stdout`` bytes differ from the base voices').

Why: the earlier sets have been looked at while the phrase matcher and the sentence-embedding
detector were developed, so they no longer measure generalisation. This set is for ONE held-out
evaluation only: never tune patterns, examples or thresholds on it, never copy its phrases into a
detector, its training data or other sets, and do not quote it in notes or docs. Once it has been
used to report a number, treat it as spent and write a new one.
"""

from __future__ import annotations

CUSTOMER_NAME = "Keisha Campbell"

Labelled = tuple[str, str, frozenset[str]]


def _e(speaker: str, text: str, *kinds: str) -> Labelled:
    return (speaker, text, frozenset(kinds))


UTTERANCES: tuple[Labelled, ...] = (
    # --- empathy -----------------------------------------------------------------------------
    _e(
        "agent",
        "Och, that's a horrible wee shock to get in the post, a bill for four hundred pound out "
        "of nowhere.",
        "empathy",
    ),
    _e(
        "agent",
        "Eish, three weeks with no internet while you're working from home, that must be driving "
        "you up the wall.",
        "empathy",
    ),
    _e(
        "agent",
        "Wah, paying twice for the same hospital bill, I also would be stressed lah.",
        "empathy",
    ),
    _e(
        "agent",
        "Ah God love you, stuck in the airport overnight with two small kids, that sounds "
        "exhausting.",
        "empathy",
    ),
    _e(
        "agent",
        "I hear you, it can't be easy having your pension come in late like that, especially this "
        "month.",
        "empathy",
    ),
    _e(
        "agent",
        "Bless your heart, hon, that's a whole lot to be dealing with right after a surgery.",
        "empathy",
    ),
    _e("agent", "That's so upsetting.", "empathy"),
    _e("agent", "Ugh, what a nightmare.", "empathy"),
    _e(
        "agent",
        "Right, so the claim went in on the second, the hospital coded it as out of network, the "
        "appeal was logged on the twentieth and nothing since, and honestly, being chased by a "
        "collections agency while you're still recovering must be incredibly frightening.",
        "empathy",
    ),
    _e(
        "agent",
        "Losing your card abroad on the first day of a trip is genuinely awful, I can hear how "
        "worried you are.",
        "empathy",
    ),
    _e(
        "agent",
        "We recognise how distressing it is when a benefit payment doesn't arrive when it should.",
        "empathy",
    ),
    # hard negatives sharing words with empathy
    _e("agent", "I understand the form needs signing by both account holders."),
    _e(
        "agent",
        "I feel like there's an echo on my side, can you hear it too?",
    ),
    _e("agent", "From what you describe, it's the old black modem with the four lights."),
    # --- specific apology ----------------------------------------------------------------------
    _e(
        "agent",
        "I'm really sorry the refund for your returned boots still hasn't landed, it should have "
        "been back with you in five days.",
        "specific_apology",
    ),
    _e(
        "agent",
        "Ms Campbell, I apologise that the nursing bill was sent to you instead of your insurer.",
        "specific_apology",
        "customer_name_used",
    ),
    _e(
        "agent",
        "Och, I'm sorry you got cut off twice waiting in the queue this morning.",
        "specific_apology",
    ),
    _e(
        "agent",
        "Apologies that your flight change never showed up in the app, that's really not good "
        "enough.",
        "specific_apology",
    ),
    _e("agent", "Sorry the engineer didn't turn up on Saturday as booked.", "specific_apology"),
    _e(
        "agent",
        "I do apologise for the estimated reading, it should have used the photo of the meter you "
        "sent in.",
        "specific_apology",
    ),
    _e(
        "agent",
        "So sorry the passport renewal letter had your middle name spelt wrong.",
        "specific_apology",
    ),
    _e(
        "agent",
        "My apologies for the overdraft fee, it was charged while your salary was being held.",
        "specific_apology",
    ),
    _e("agent", "Sorry for the mix-up with the two sizes in the one parcel.", "specific_apology"),
    _e(
        "agent",
        "I want to apologise for leaving you on hold for forty minutes, that's not the service we "
        "want for you.",
        "specific_apology",
    ),
    _e(
        "agent",
        "Ag, sorry man, the parcel was left at the wrong gate.",
        "specific_apology",
    ),
    # --- bare apology --------------------------------------------------------------------------
    _e("agent", "Eish, apologies, hey.", "bare_apology"),
    _e("agent", "We regret any disruption to your service.", "bare_apology"),
    _e("agent", "Aye, sorry for aw the bother, hen.", "bare_apology"),
    _e("agent", "So sorry lah.", "bare_apology"),
    _e("agent", "Oh, forgive me, apologies.", "bare_apology"),
    _e("agent", "Ah, sorry now, sorry about the carry-on.", "bare_apology"),
    _e("agent", "My apologies for all of that, truly.", "bare_apology"),
    _e("agent", "Lord, I'm sorry, ma'am, I sure am.", "bare_apology"),
    _e("agent", "Apologies, apologies, one sec while the screen catches up.", "bare_apology"),
    _e("agent", "Ag, sorry hey.", "bare_apology"),
    _e("agent", "Oh heck, sorry.", "bare_apology"),
    # hard negatives sharing words with apologies
    _e(
        "agent",
        "Sorry, was that fifteen or fifty?",
    ),
    _e("agent", "The airline sent a letter of apology last week, it should be in your inbox."),
    _e("customer", "Sorry, I'm a bit flustered, I've never had to ring a bank before."),
    _e("agent", "You don't need to apologise at all, it happens to everyone."),
    # --- supervisor offer ----------------------------------------------------------------------
    _e(
        "agent",
        "I can loop in my team lead if you'd like, she's got more say on refunds than I do.",
        "supervisor_offer",
    ),
    _e("agent", "Let me get someone senior on the line for you.", "supervisor_offer"),
    _e(
        "agent",
        "Shall I bring my supervisor into the call? She may be able to bend the rules a bit.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Aye, I'll fetch my manager over, give me two minutes.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "The duty manager could give you a call back this afternoon, shall I set that up?",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Shall I escalate this to a senior case officer? They can review the decision.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Say the word and I'll patch my supervisor through to us.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Hold on ah, I ask my supervisor to come on the line, can?",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Would you like a word with the floor manager? She's sitting two desks down.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "My team leader's just freed up, want me to put him on?",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Let me grab the shift supervisor, she can authorise that.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "I can get a senior colleague with sign-off authority to call you back today.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Honestly, this needs a manager's eyes on it, let me go and get one.",
        "supervisor_offer",
    ),
    _e("agent", "Want me to kick this upstairs to my boss?", "supervisor_offer"),
    _e(
        "agent",
        "I'll see if my supervisor can jump on the call with us.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Would you prefer to talk this through with someone higher up? I can arrange that.",
        "supervisor_offer",
    ),
    _e("agent", "Hang on, I'll get the gaffer on the phone for you.", "supervisor_offer"),
    # hard negatives sharing words with supervisor offers
    _e(
        "agent",
        "My supervisor approved the goodwill credit this morning, so it's already on the account.",
    ),
    _e(
        "agent",
        "I offered to get a manager earlier, but you said you'd rather carry on with me, which is "
        "fine.",
    ),
    _e(
        "agent",
        "The branch manager there is Mr Naidoo, he's the one who signs the letter.",
    ),
    _e("agent", "Our supervisors listen to a sample of calls for quality."),
    # --- manager request (customer) ------------------------------------------------------------
    _e("customer", "Your manager, please, love.", "manager_request"),
    _e("customer", "Does anyone outrank you over there? Let me talk to them.", "manager_request"),
    _e("customer", "I'm done here. Your supervisor, please.", "manager_request"),
    _e(
        "customer",
        "Can I have a word with whoever's in charge there?",
        "manager_request",
    ),
    _e("customer", "Me need to talk to your manager, you hear me?", "manager_request"),
    _e(
        "customer",
        "Aye, that's no good enough. Get us your boss.",
        "manager_request",
    ),
    _e(
        "customer",
        "Your supervisor there or not? I want to talk to supervisor lah.",
        "manager_request",
    ),
    _e(
        "customer",
        "Right. Escalate it. Team leader, please.",
        "manager_request",
    ),
    _e("customer", "Who's your superior? I want them on the phone.", "manager_request"),
    _e(
        "customer",
        "Ag no man, I want the big boss on the line, hey.",
        "manager_request",
    ),
    _e(
        "customer",
        "I'll not be dealing with you any more, get me someone senior.",
        "manager_request",
    ),
    _e(
        "customer",
        "Would you be so kind as to fetch your supervisor for me? Thank you.",
        "manager_request",
    ),
    _e("customer", "Darlin', I'm gonna need your manager on this one.", "manager_request"),
    _e("customer", "I want this escalated. Somebody senior, today.", "manager_request"),
    _e(
        "customer",
        "I've rung four times, I've sent the meter photos twice, I've been told three different "
        "figures by three different people, and I'm done going round in circles, so I'd like to "
        "speak to a supervisor.",
        "manager_request",
    ),
    _e("customer", "Kindly connect me to your head of department.", "manager_request"),
    # hard negatives sharing words with manager requests
    _e("customer", "Actually it's the billing folk I'm after, are they on this number?"),
    _e(
        "customer",
        "My boss wants proof of the appointment before she'll sign off my sick leave.",
    ),
    _e("customer", "The last girl offered to get a manager, but I didn't want to wait."),
    _e(
        "customer",
        "No need to get anyone else, you're doing fine, just find the parcel.",
    ),
    _e("customer", "Is there anyone there who deals with pensions specifically?"),
    # --- negative phrasing ---------------------------------------------------------------------
    _e("agent", "Nope, clearance stuff can't come back for money, full stop.", "negative_phrasing"),
    _e("agent", "Afraid that's a non-starter, ma'am.", "negative_phrasing"),
    _e("agent", "I can't change the due date once the bill's issued.", "negative_phrasing"),
    _e("agent", "Nah, cannot be done lah.", "negative_phrasing"),
    _e(
        "agent",
        "You'll have to wait for the new statement, there's no other way.",
        "negative_phrasing",
    ),
    _e(
        "agent",
        "We're not able to discuss the account unless the holder is on the line.",
        "negative_phrasing",
    ),
    _e("agent", "The exchange rate, ja, there's no changing that on my end.", "negative_phrasing"),
    _e("agent", "Och no, we cannae backdate it.", "negative_phrasing"),
    _e(
        "agent",
        "Unfortunately you're not eligible for the winter payment this year.",
        "negative_phrasing",
    ),
    _e("agent", "Policy doesn't allow it, so no.", "negative_phrasing"),
    _e(
        "agent",
        "It's impossible to reissue the ticket now, the fare's closed.",
        "negative_phrasing",
    ),
    # hard negatives sharing words with negative phrasing
    _e(
        "agent",
        "No trouble, that's the address updated.",
    ),
    _e("agent", "You can't go wrong with the fixed rate if you like knowing what you'll pay."),
    _e("agent", "Don't worry, nothing's been taken from your account."),
    _e("agent", "No, no, you haven't done anything wrong."),
    # --- blame passing -------------------------------------------------------------------------
    _e(
        "agent",
        "That's on the warehouse, they packed the wrong item, nothing to do with us here.",
        "blame_passing",
    ),
    _e(
        "agent",
        "It's this new software, man, it's been throwing out wrong bills left, right and centre.",
        "blame_passing",
    ),
    _e(
        "agent",
        "The previous agent should have logged it, that's why it went nowhere.",
        "blame_passing",
    ),
    _e(
        "agent",
        "That's the airline's doing, not ours, we just sell the tickets.",
        "blame_passing",
    ),
    _e("agent", "Aye, well, the meter reader got it wrong, not me.", "blame_passing"),
    _e(
        "agent",
        "Aiyah, the delivery company lost it, nothing to do with our side lah.",
        "blame_passing",
    ),
    _e(
        "agent",
        "Don't look at me, that's head office moving the goalposts again.",
        "blame_passing",
    ),
    _e(
        "agent",
        "If your employer had sent the form on time, this wouldn't have happened.",
        "blame_passing",
    ),
    _e(
        "agent",
        "Ja, the installers are contractors, they keep messing up, it's a them problem.",
        "blame_passing",
    ),
    _e(
        "agent",
        "That's down to the Department, we only process what they send us.",
        "blame_passing",
    ),
    _e(
        "agent",
        "Well, the pharmacy's the one who overcharged you, not us.",
        "blame_passing",
    ),
    # hard negatives sharing words with blame passing
    _e(
        "agent", "The courier is due between ten and two, you'll get a text with the driver's name."
    ),
    _e("agent", "The hospital sent us the itemised bill, and I can see every line on it now."),
    _e("customer", "Ach, that one's on me, I typed the sort code wrong."),
    _e("agent", "Nobody's blaming you, these things happen."),
    # --- bouncing ------------------------------------------------------------------------------
    _e(
        "agent",
        "That's a different department, you'll need to ring our claims line on the other number.",
        "bouncing",
    ),
    _e("agent", "For that one, it's your insurer you'd be calling, not us.", "bouncing"),
    _e("agent", "I'll pass you over to the returns team, they handle that.", "bouncing"),
    _e(
        "agent",
        "Roaming's with the international desk, you'd have to call them.",
        "bouncing",
    ),
    _e("agent", "Best you go to the post office for that form lah.", "bouncing"),
    _e(
        "agent",
        "You'll need to speak to the letting agent about the meter, not us.",
        "bouncing",
    ),
    _e("agent", "I'll transfer you to technical support, hold the line.", "bouncing"),
    _e("agent", "Aye, that's the council you'd want, no us.", "bouncing"),
    _e(
        "agent",
        "That sits with the fraud team, let me put you through to them.",
        "bouncing",
    ),
    _e(
        "agent",
        "The store where you got it handles exchanges, you'd need to take it back to them.",
        "bouncing",
    ),
    _e("agent", "Ja, you'll have to phone Eskom about that.", "bouncing"),
    # hard negatives sharing words with bouncing
    _e("agent", "The returns team already processed it, the money's on its way."),
    _e("agent", "Technical support has a new number from Monday, it'll be on your next bill."),
    _e(
        "customer",
        "I've been passed from pillar to post all morning before reaching you.",
    ),
    _e("agent", "Hold the line a second while I load your account."),
    # --- solution offer ------------------------------------------------------------------------
    _e(
        "agent",
        "I'll knock the delivery charge off and get a fresh pair posted today, how's that?",
        "solution_offer",
    ),
    _e(
        "agent",
        "How about we move you onto the monthly plan so it's smaller chunks?",
        "solution_offer",
    ),
    _e(
        "agent",
        "I can get a technician out to you Thursday, first slot, eight till twelve, does that suit?",
        "solution_offer",
    ),
    _e(
        "agent",
        "Let me set up a payment plan for the arrears, twelve months, interest free.",
        "solution_offer",
    ),
    _e(
        "agent",
        "We could put a hold on the bill while the appeal's reviewed, would that help?",
        "solution_offer",
    ),
    _e(
        "agent",
        "There's a seat on the evening flight to Dublin, I can move you onto it free of charge.",
        "solution_offer",
    ),
    _e(
        "agent",
        "Can lah, I can issue a new card and courier it to your office.",
        "solution_offer",
    ),
    _e(
        "agent",
        "Ja, I can pop a credit of two hundred rand on your account for the downtime.",
        "solution_offer",
    ),
    _e(
        "agent",
        "I can send you a prepaid label, so the return costs you nothing.",
        "solution_offer",
    ),
    _e(
        "agent",
        "There's a hardship fund we can apply to on your behalf.",
        "solution_offer",
    ),
    _e(
        "agent",
        "Here's what we can do: switch the meter to credit mode and clear the standing charge for "
        "this quarter.",
        "solution_offer",
    ),
    # hard negatives sharing words with solution offers
    _e("agent", "I can hear you much better now, thanks."),
    _e("agent", "What I can see is two payments, one on the first and one on the third."),
    _e("agent", "The engineer fixed it yesterday, according to the notes."),
    # --- ownership -----------------------------------------------------------------------------
    _e(
        "agent",
        "This stays on my desk, I'll chase the refund and phone you Friday.",
        "ownership",
    ),
    _e("agent", "I'm going to take this on personally until it's sorted.", "ownership"),
    _e("agent", "Aye, this one's mine now, I'll see it through.", "ownership"),
    _e(
        "agent",
        "I'll make sure the bill's corrected before the next cycle, you have my word.",
        "ownership",
    ),
    _e("agent", "I take full responsibility for getting this fixed.", "ownership"),
    _e("agent", "I'll ring the hospital myself so you don't have to.", "ownership"),
    _e("agent", "Don't worry, I'll handle the paperwork with the council.", "ownership"),
    _e(
        "agent",
        "You won't need to call again, I'll follow it up and get back to you.",
        "ownership",
    ),
    _e(
        "agent",
        "Sure look, I'll look after it, and I'll give you a buzz tomorrow with an update.",
        "ownership",
    ),
    _e(
        "agent",
        "I'll own this one, and I'll keep you posted every step of the way.",
        "ownership",
    ),
    _e(
        "agent",
        "Let me chase the courier myself and call you back within the hour.",
        "ownership",
    ),
    # hard negatives sharing words with ownership
    _e("agent", "I'll just read the address back to you."),
    _e("agent", "I'll need your date of birth first."),
    _e("customer", "Let me dig out the receipt myself and I'll ring you back, love."),
    # --- paraphrasing --------------------------------------------------------------------------
    _e(
        "agent",
        "So if I've got this right, the refund showed as pending and then just disappeared?",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Just so I'm clear, you were charged for two appointments but only went to one?",
        "paraphrasing",
    ),
    _e(
        "agent",
        "What I'm hearing is you want the router swapped, not another reset.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Let me make sure I've followed: you flagged the Lisbon trip in the app, and the card still got declined at the hotel?",
        "paraphrasing",
    ),
    _e(
        "agent",
        "So basically the meter was read on the wrong date, and that's why the bill jumped?",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Aye, so the boiler cover lapsed while you were in hospital, is that right?",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Okay, if I understand correctly, the outbound leg was cancelled and you had to buy a new "
        "ticket yourself.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "So what you're telling me is the parcel was marked delivered but it never reached you.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Right, so the pension came in short by about forty pounds, and nobody's told you why?",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Let me play that back: two calls, no callback, and the direct debit still went out.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Okay lah, so you want to cancel the second line but keep the first one, correct?",
        "paraphrasing",
    ),
    # hard negatives sharing words with paraphrasing
    _e("agent", "So, can I take the postcode, please?"),
    _e("agent", "Just to let you know, this call may be recorded."),
    _e("customer", "So what you're telling me is I have to wait another month?"),
    # --- boundary setting ----------------------------------------------------------------------
    _e(
        "agent",
        "I'll keep working on this, but the name-calling has to stop.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "Please stop with the cursing, I'm on your side here.",
        "boundary_setting",
    ),
    _e("agent", "I'll help you, but not if you keep shouting at me.", "boundary_setting"),
    _e(
        "agent",
        "One more word like that and I'm going to have to hang up.",
        "boundary_setting",
    ),
    _e("agent", "I'm going to ask you to keep it respectful, please.", "boundary_setting"),
    _e(
        "agent",
        "Ma'am, that kind of talk isn't okay, let's keep it civil.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "I won't be spoken to like that, but I do want to fix this.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "Let's take the personal remarks out of it and focus on the bill.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "Aye, I know you're raging, but there's nae need for that language.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "I've asked twice now about the swearing; a third time and the call ends.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "Sir, I'm not going to continue while you're calling me stupid.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "Can we please leave the insults aside? I want to get this sorted for you.",
        "boundary_setting",
    ),
    # hard negatives sharing words with boundary setting
    _e("agent", "The limit on this card type is set at two thousand."),
    _e(
        "agent",
        "I'll have to end the call now as the line's very poor, I'll ring you straight back.",
    ),
    _e("customer", "Sorry for shouting, it's not you, it's the situation."),
    # --- closing -------------------------------------------------------------------------------
    _e("agent", "Was there anything further you needed from me today?", "closing"),
    _e("agent", "Thanks for ringing in, hope the rest of your evening's quieter.", "closing"),
    _e(
        "agent",
        "Right, that's you away, cheers for sticking with me, bye now.",
        "closing",
    ),
    _e("agent", "Take care now, y'all have a good one.", "closing"),
    _e("agent", "Okay lah, thank you for calling, bye bye.", "closing"),
    _e("agent", "That's us done then, unless there's something else? Cheerio.", "closing"),
    _e(
        "agent",
        "Thanks so much for holding, have a lovely weekend, goodbye.",
        "closing",
    ),
    _e("agent", "Grand so, mind yourself, bye bye bye.", "closing"),
    _e(
        "agent",
        "Thank you for your time today, and good luck with the new baby.",
        "closing",
    ),
    _e("agent", "Lekker, shot for calling, cheers hey.", "closing"),
    _e("agent", "Alright, you have a blessed day now.", "closing"),
    _e(
        "agent",
        "That's everything on my side, thanks for bearing with me, goodbye.",
        "closing",
    ),
    # hard negatives sharing words with closing
    _e(
        "agent",
        "Thanks for that, and the postcode there?",
    ),
    _e(
        "agent",
        "Before you go onto the website, make sure you've got your account number handy.",
    ),
    _e("agent", "Is there anything else on the statement that looks wrong?"),
    _e("customer", "Bye for now, I'll call back after lunch."),
    # --- abuse (customer) ----------------------------------------------------------------------
    _e("customer", "Wow, you're a real genius, aren't you.", "abuse"),
    _e("customer", "Is your brain switched off?", "abuse"),
    _e(
        "customer",
        "Bless your heart, you really don't have a clue, do you.",
        "abuse",
    ),
    _e("customer", "Listen here, you muppet, I've been on hold an hour.", "abuse"),
    _e("customer", "Your whole company is run by thieves, and you're one of them.", "abuse"),
    _e("customer", "Eish, you're a proper clown, hey.", "abuse"),
    _e("customer", "Aiyoh, you so stupid one, how you got this job?", "abuse"),
    _e(
        "customer",
        "Oh brilliant, another brain-dead robot reading from a script.",
        "abuse",
    ),
    _e("customer", "Close your mouth and let me talk, you donkey.", "abuse"),
    _e("customer", "Honestly, a trained monkey could do your job better.", "abuse"),
    # hard negatives sharing words with abuse
    _e("customer", "This bloody router keeps dropping out, it's driving me mad."),
    _e("customer", "I'm such an idiot, I paid the old account."),
    _e("customer", "You're a star, honestly, thank you."),
    # --- the customer's name, on its own --------------------------------------------------------
    _e("agent", "Right, Keisha, bear with me while this loads.", "customer_name_used"),
    _e("agent", "Thanks, Ms Campbell, that's the security questions done.", "customer_name_used"),
    _e("agent", "Keisha? Hello? You with me?", "customer_name_used"),
    _e("agent", "Okay, Mrs Campbell, just one more question.", "customer_name_used"),
    # hard negatives for the name
    _e("agent", "The depot on Campbell Street opens at eight."),
    _e("customer", "It's Keisha Campbell, C A M P B E L L."),
    _e("agent", "Is the account in your name or your husband's?"),
    # --- several kinds in one turn -------------------------------------------------------------
    _e(
        "agent",
        "Keisha, I'm so sorry the adjustment never came through, that must be maddening, let me "
        "credit it back right now.",
        "customer_name_used",
        "specific_apology",
        "empathy",
        "solution_offer",
    ),
    _e(
        "agent",
        "It's not something I can sign off. My supervisor can, though, shall I get her?",
        "negative_phrasing",
        "supervisor_offer",
    ),
    _e("agent", "Ja, no, we don't cover that, sorry hey.", "negative_phrasing", "bare_apology"),
    _e(
        "agent",
        "The hospital coded it wrong, so you'd really need to take that up with them.",
        "blame_passing",
        "bouncing",
    ),
    _e(
        "agent",
        "You'd have to email the complaints address, we can't log it by phone.",
        "bouncing",
        "negative_phrasing",
    ),
    _e(
        "agent",
        "I understand you're upset, Ms Campbell, but threats aren't acceptable on this line.",
        "empathy",
        "customer_name_used",
        "boundary_setting",
    ),
    _e(
        "customer",
        "Fetch your boss, you useless lump.",
        "manager_request",
        "abuse",
    ),
    _e(
        "customer",
        "Oh, marvellous, another halfwit. Put someone senior on.",
        "abuse",
        "manager_request",
    ),
    _e(
        "agent",
        "So the payment bounced because the date moved, yeah? Leave that with me, I'll fix the "
        "date myself today.",
        "paraphrasing",
        "ownership",
    ),
    _e(
        "agent",
        "Thanks for your patience, Keisha, the refund's gone through, take care now.",
        "customer_name_used",
        "closing",
    ),
    _e(
        "agent",
        "I'm sorry the claim was refused twice, Mrs Campbell, I'll bring my team lead in so we "
        "can look at it together.",
        "specific_apology",
        "customer_name_used",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "I hear how fed up you are, and I'll stay with this until it's fixed.",
        "empathy",
        "ownership",
    ),
    _e(
        "agent",
        "Please stop swearing, I'm trying to help, and if you'd like, I can get my supervisor.",
        "boundary_setting",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Honestly, the supplier messed up the batch, and no, a refund isn't possible.",
        "blame_passing",
        "negative_phrasing",
    ),
    _e(
        "agent",
        "Apologies for the hassle, Keisha, what I can do is post the form out instead.",
        "bare_apology",
        "customer_name_used",
        "solution_offer",
    ),
    _e(
        "customer",
        "Is your manager there? Because you clearly haven't a clue.",
        "manager_request",
        "abuse",
    ),
    _e(
        "agent",
        "Okay, so you cancelled the second line in March but it's still being billed; I'm sorry "
        "you've been charged for a line you don't have.",
        "paraphrasing",
        "specific_apology",
    ),
    _e(
        "agent",
        "Apologies again, Ms Campbell. Anything more you need from us before we finish up?",
        "bare_apology",
        "customer_name_used",
        "closing",
    ),
    _e(
        "agent",
        "Mrs Campbell, you've had a rotten week with this, and I'll personally make sure the "
        "reconnection happens tomorrow.",
        "customer_name_used",
        "empathy",
        "ownership",
    ),
    _e(
        "agent",
        "Keisha, what you're describing is the fee was taken twice, so I'll get the second one "
        "reversed for you now.",
        "customer_name_used",
        "paraphrasing",
        "solution_offer",
    ),
    _e(
        "agent",
        "Look, the bank's fraud system blocked it, not me, and you'll need to call them to unblock "
        "it, Keisha.",
        "blame_passing",
        "bouncing",
        "customer_name_used",
    ),
    _e(
        "customer",
        "Are you deaf? I said get me someone in charge.",
        "abuse",
        "manager_request",
    ),
)

VOICES: tuple[str, ...] = ("en-029+m3", "en-us-nyc+f2")
