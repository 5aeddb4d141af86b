"""A fifth fresh, blind labelled set of call-centre utterances for the cue matcher (issue 14).

What: about two hundred and twenty single utterances (agent or customer), each labelled with every
cue kind a careful human annotator would mark: at least twelve positives for each of the fifteen
kinds, some utterances carrying two to four kinds, and about forty-five hard negatives placed beside
the kind whose words they share ("sorry" meaning "pardon", a manager or supervisor who is not being
offered or asked for, a transfer that is routine, the customer's surname as a place or another
person's name, procedural "so" and "I can" sentences, thanks and "anything else" mid-call, swearing
at a thing rather than at the agent, a customer apologising, routine talk).

How it was written: blind to the matcher. The author (helper H6, session 17) did not open, grep or
read the git history of the matcher's word lists or cue files (models/speech/cues.toml,
models/speech/cues.py, cue_pass.py, verify.py, models/scoring/*cue*), bench/cue_probes_s16.py, the
cue sections of docs/benchmarks_telephone.md or the other helpers' work of the session. Read:
bench/cue_set_fresh4.py and bench/cue_set_fresh3.py (the format and the labelling conventions, and
which frames to avoid repeating), bench/bench_cues.py (how a set is loaded). The wording imitates
Australian, Irish, South African, US Southern and Scottish speech, very plain short phrasings,
polite corporate scripts, sarcasm, cues split by fillers, cues in the middle of long turns, and
hard negatives that share words with cues. Labels follow the earlier sets' conventions: manager
requests and abuse are customer turns, every other kind is an agent turn; swearing at a situation
is not abuse; "sorry" meaning "pardon" is not an apology; ``customer_name_used`` is marked on agent
turns that address the customer by first or last name.

Voices: two espeak-ng voices no earlier set used (``en-us+f3``, a US voice with a female variant,
and ``en-gb-x-gbcwmd+m1``, the West Midlands British voice with a male variant); both variants
change the synthesised audio (checked against the base voices), so neither is silently ignored.

Why: the earlier sets have been looked at while the matcher was developed. This set is for ONE
held-out evaluation only: never tune patterns or thresholds on it, never copy its phrases into the
matcher or other sets, and do not quote it in notes or docs. Once it has been used to report a
number, treat it as spent and write a new one.
"""

from __future__ import annotations

CUSTOMER_NAME = "Grace Donnelly"

Labelled = tuple[str, str, frozenset[str]]


def _e(speaker: str, text: str, *kinds: str) -> Labelled:
    return (speaker, text, frozenset(kinds))


UTTERANCES: tuple[Labelled, ...] = (
    # --- empathy -----------------------------------------------------------------------------
    _e("agent", "Ah look, that's rotten luck, no wonder you're fed up.", "empathy"),
    _e(
        "agent",
        "Bless your heart, three weeks without hot water in this cold, that is just miserable.",
        "empathy",
    ),
    _e(
        "agent",
        "Fair dinkum, mate, that'd drive anyone up the wall, I'd be spewing too.",
        "empathy",
    ),
    _e("agent", "That's awful. Really awful.", "empathy"),
    _e(
        "agent",
        "Shame, man, with the baby sick as well, I can see why you're so stressed.",
        "empathy",
    ),
    _e(
        "agent",
        "Och, that's a right scunner, being left waiting in all morning for nothing.",
        "empathy",
    ),
    _e(
        "agent",
        "I can, uh, I can completely see why you'd be annoyed about being charged twice.",
        "empathy",
    ),
    _e(
        "agent",
        "Grace, that sounds exhausting, honestly, going back and forth with us like that.",
        "empathy",
        "customer_name_used",
    ),
    _e(
        "agent",
        "Okay, and so the card was declined at the till in front of everyone, that must have "
        "been so embarrassing for you, and I'm just pulling up the transaction now.",
        "empathy",
    ),
    _e(
        "agent",
        "We genuinely appreciate your patience, and we recognise how frustrating this outage has "
        "been for you and your family.",
        "empathy",
    ),
    _e("agent", "I'd be fuming in your shoes, to be fair.", "empathy"),
    _e(
        "agent",
        "Gosh, a funeral to get to and the car won't start, my heart goes out to you.",
        "empathy",
    ),
    # hard negatives sharing words with empathy
    _e("agent", "That sounds like the payment is still pending, it shows as processing."),
    _e("customer", "I can see why they built the mast there, but it's ruined the signal."),
    _e("agent", "I appreciate the account number, that's pulled it right up."),
    # --- specific apology ----------------------------------------------------------------------
    _e(
        "agent",
        "I'm sorry the fella from the depot never turned up on Tuesday like he promised.",
        "specific_apology",
    ),
    _e(
        "agent",
        "On behalf of the whole team, we apologise for the error on your March statement.",
        "specific_apology",
    ),
    _e(
        "agent",
        "Sorry, genuinely, for the, uh, the mix-up with your booking reference.",
        "specific_apology",
    ),
    _e(
        "agent",
        "My apologies that nobody rang you back after you lodged the complaint.",
        "specific_apology",
    ),
    _e(
        "agent",
        "I do apologise, ma'am, y'all should never have been cut off without notice like that.",
        "specific_apology",
    ),
    _e(
        "agent",
        "I'm sorry we lost the paperwork you posted in, that shouldn't happen.",
        "specific_apology",
    ),
    _e(
        "agent",
        "Let me just say sorry for the hold music being so loud, I know it's dreadful.",
        "specific_apology",
    ),
    _e(
        "agent",
        "Right, so I've been through the notes from the last four calls and, look, I'm sorry the "
        "engineer was booked for the wrong address every single time, and I can see you told "
        "us the correct one on the first call.",
        "specific_apology",
    ),
    _e("agent", "Sorry the app kept logging you out, that's a known fault.", "specific_apology"),
    _e(
        "agent",
        "We're so sorry your parcel was left out in the rain.",
        "specific_apology",
    ),
    _e(
        "agent",
        "Miss Donnelly, I apologise for the late fee, it never should have been applied.",
        "specific_apology",
        "customer_name_used",
    ),
    _e(
        "agent",
        "I'm sorry for the wait today, we've had a huge number of calls since the storm.",
        "specific_apology",
    ),
    # hard negatives sharing words with apologies
    _e("agent", "Sorry, you cut out there, say the last bit again?"),
    _e("customer", "Sorry, I'm in the car, hang on while I pull over."),
    _e("agent", "Sorry, is that a B for Bravo or a D for Delta?"),
    _e("customer", "I do apologise, I gave you the old account number."),
    # --- bare apology --------------------------------------------------------------------------
    _e("agent", "Sorry.", "bare_apology"),
    _e("agent", "Ah, I'm awful sorry.", "bare_apology"),
    _e("agent", "Sorry, sorry, my fault.", "bare_apology"),
    _e("agent", "We apologise.", "bare_apology"),
    _e("agent", "I do apologise, sir.", "bare_apology"),
    _e("agent", "Oh, I'm, um, really sorry.", "bare_apology"),
    _e("agent", "Very sorry about all that.", "bare_apology"),
    _e("agent", "Sorry, mate, my mistake.", "bare_apology"),
    _e("agent", "Sorry for any inconvenience caused.", "bare_apology"),
    _e("agent", "Apologies for that.", "bare_apology"),
    _e("agent", "I'm sorry, Grace.", "bare_apology", "customer_name_used"),
    _e("agent", "Well, sorry, I guess.", "bare_apology"),
    _e("agent", "Right, sorry about that, okay.", "bare_apology"),
    # --- supervisor offer ----------------------------------------------------------------------
    _e(
        "agent",
        "Would it help if I got my supervisor on the line for you?",
        "supervisor_offer",
    ),
    _e("agent", "I can get a manager, if you like.", "supervisor_offer"),
    _e(
        "agent",
        "I'll flag this to my line manager and ask her to give you a bell this arvo.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Should you wish to escalate, I can refer your case to a senior adviser today.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "If you'd like, I could, er, pop you through to someone more senior.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Let me get my team leader over, she can authorise more than I can.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "I can arrange a callback from the duty manager, would that suit?",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Honey, if you want somebody higher up, I'll go fetch my boss right now.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "So, okay, I've added a note to the account and I've checked the delivery slots, and if "
        "you're still not happy with that, I'm able to raise this with my supervisor before the "
        "end of the day.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "I can have the escalations team look at it, they're the next level up from me.",
        "supervisor_offer",
    ),
    _e("agent", "Do you want me to hand this over to my manager?", "supervisor_offer"),
    _e(
        "agent",
        "I'll get a supervisor to ring you back, would the mobile number be best?",
        "supervisor_offer",
    ),
    # hard negatives sharing words with supervisor offers
    _e("agent", "My manager has approved the new pricing for all customers this month."),
    _e("agent", "I'll transfer the balance onto your new account, it won't take a minute."),
    _e("agent", "The store manager signs for deliveries at that branch."),
    # --- manager request (customer) ------------------------------------------------------------
    _e("customer", "Get me your manager.", "manager_request"),
    _e(
        "customer",
        "I'd like to speak to somebody senior, please, this has gone on far too long.",
        "manager_request",
    ),
    _e(
        "customer",
        "Put your supervisor on, darlin', I'm done talkin' to the front desk.",
        "manager_request",
    ),
    _e("customer", "Can I talk to the boss, like, the actual person in charge?", "manager_request"),
    _e(
        "customer",
        "Is there a team leader there? Because I want to, um, escalate this.",
        "manager_request",
    ),
    _e(
        "customer",
        "I'm not hanging up until I've spoken to someone higher up than you.",
        "manager_request",
    ),
    _e("customer", "Transfer me to a manager, please.", "manager_request"),
    _e(
        "customer",
        "Look, I've been with you for eleven years, I've never missed a payment, I've never "
        "complained once, and now you've cut me off for no reason, so I want a manager to ring "
        "me back today and explain it.",
        "manager_request",
    ),
    _e("customer", "Would your supervisor be free for a quick word?", "manager_request"),
    _e(
        "customer",
        "Lemme speak to whoever runs this outfit, would ya.",
        "manager_request",
    ),
    _e("customer", "I want this escalated to a senior manager, in writing.", "manager_request"),
    _e("customer", "Ach, just hand me to your gaffer, will you.", "manager_request"),
    # hard negatives sharing words with manager requests
    _e("customer", "I'm a manager myself, so I know how these targets work."),
    _e("customer", "Can you transfer me to billing? I pressed the wrong option."),
    _e("customer", "My supervisor at work needs a copy of the letter for my expenses."),
    # --- negative phrasing ---------------------------------------------------------------------
    _e("agent", "Nope, can't do that.", "negative_phrasing"),
    _e("agent", "That's not how it works, I'm afraid.", "negative_phrasing"),
    _e(
        "agent",
        "There's nothing I can do, it's out of my hands, full stop.",
        "negative_phrasing",
    ),
    _e("agent", "You should have read the terms before you signed.", "negative_phrasing"),
    _e(
        "agent",
        "Oh sure, because the rules just don't apply to you, right?",
        "negative_phrasing",
    ),
    _e("agent", "We don't do refunds on sale items, simple as that.", "negative_phrasing"),
    _e(
        "agent",
        "Like I said, like, three times now, the system won't let me.",
        "negative_phrasing",
    ),
    _e("agent", "That's not my problem, sir.", "negative_phrasing"),
    _e(
        "agent",
        "You've no choice but to wait until the billing cycle runs out.",
        "negative_phrasing",
    ),
    _e(
        "agent",
        "Unfortunately, we are unable to make an exception to this policy.",
        "negative_phrasing",
    ),
    _e("agent", "No chance, that offer finished last week.", "negative_phrasing"),
    _e(
        "agent",
        "Well, I've checked the account, the readings and the tariff, and honestly, I won't be "
        "changing anything, because it was your responsibility to tell us about the move.",
        "negative_phrasing",
    ),
    # hard negatives sharing words with negative phrasing
    _e("agent", "No problem at all, it's no bother."),
    _e("agent", "Don't worry, the charge won't go through twice."),
    _e("customer", "I can't find the reference number on the letter anywhere."),
    # --- blame passing -------------------------------------------------------------------------
    _e(
        "agent",
        "That's the warehouse lads, they keep sending the wrong size.",
        "blame_passing",
    ),
    _e(
        "agent",
        "Honestly, the new billing system is rubbish, it's been messing up everyone's accounts.",
        "blame_passing",
    ),
    _e(
        "agent",
        "Whoever took your call yesterday should have logged it, and they didn't.",
        "blame_passing",
    ),
    _e("agent", "The delay's down to the post office, not us.", "blame_passing"),
    _e(
        "agent",
        "The installers are contractors, so, um, it's really on them, not the company.",
        "blame_passing",
    ),
    _e(
        "agent",
        "Ag, the head office people changed the rules again and didn't tell us.",
        "blame_passing",
    ),
    _e(
        "agent",
        "Your provider is the one who dropped the port, so that's their fault.",
        "blame_passing",
    ),
    _e(
        "agent",
        "It's the other department, they never read the notes we leave.",
        "blame_passing",
    ),
    _e(
        "agent",
        "That was a glitch on the website side, nothing to do with us on the phones.",
        "blame_passing",
    ),
    _e(
        "agent",
        "If the night shift had done their job, you wouldn't be ringing again.",
        "blame_passing",
    ),
    _e(
        "agent",
        "The courier marked it delivered, so I'd take it up with them, they lose stuff all the "
        "time.",
        "blame_passing",
    ),
    _e(
        "agent",
        "So I can see the order, I can see the payment, and the problem is the supplier never "
        "shipped it to our depot, which is on them.",
        "blame_passing",
    ),
    # hard negatives sharing words with blame passing
    _e("agent", "The courier will bring it between nine and one on Friday."),
    _e("agent", "The other department has already approved it, so that's done."),
    _e("customer", "It's my fault really, I put the wrong card number in."),
    # --- bouncing ------------------------------------------------------------------------------
    _e("agent", "You'll have to ring the council for that.", "bouncing"),
    _e(
        "agent",
        "Give the head office a call on Monday, they'll sort you out.",
        "bouncing",
    ),
    _e(
        "agent",
        "For warranty claims, you need to email the manufacturer yourself.",
        "bouncing",
    ),
    _e(
        "agent",
        "That's a question for your landlord, really, not for us.",
        "bouncing",
    ),
    _e(
        "agent",
        "Try the online chat, they, uh, they handle those kinds of requests.",
        "bouncing",
    ),
    _e(
        "agent",
        "You'd be better off calling the number on the back of your card.",
        "bouncing",
    ),
    _e(
        "agent",
        "I'm gonna send you over to the retentions folks, hold the line.",
        "bouncing",
    ),
    _e("agent", "Pop into your local branch, they'll look at it there.", "bouncing"),
    _e("agent", "That's not our department, you'll want the faults line.", "bouncing"),
    _e(
        "agent",
        "You'll need to fill in the form on the website and the claims team gets back to you.",
        "bouncing",
    ),
    _e(
        "agent",
        "Ring the bank, it's their system that holds the mandate.",
        "bouncing",
    ),
    _e(
        "agent",
        "Okay so that's the meter, and for the meter side of things you have to go through the "
        "distribution network, I'll give you their number now.",
        "bouncing",
    ),
    # hard negatives sharing words with bouncing
    _e("agent", "I'll put you on a brief hold while I check the tracking."),
    _e("customer", "I rang the council already and they said to call you."),
    _e("agent", "Our number is on the top right of every letter, for future reference."),
    # --- solution offer ------------------------------------------------------------------------
    _e(
        "agent",
        "Here's what we can do, I'll waive the late fee and spread the balance over three months.",
        "solution_offer",
    ),
    _e("agent", "I can send a new one out today.", "solution_offer"),
    _e(
        "agent",
        "What if I switched you onto the cheaper plan from next month?",
        "solution_offer",
    ),
    _e(
        "agent",
        "I'm able to credit you twenty dollars for the trouble, would that be alright?",
        "solution_offer",
    ),
    _e(
        "agent",
        "One option is a, um, a temporary dongle until the line is fixed.",
        "solution_offer",
    ),
    _e(
        "agent",
        "Let me book you in for a replacement, is Thursday any good?",
        "solution_offer",
    ),
    _e(
        "agent",
        "We could offer you a full refund, or store credit with ten percent on top.",
        "solution_offer",
    ),
    _e(
        "agent",
        "I'll arrange for a courier to collect it from your door, free of charge.",
        "solution_offer",
    ),
    _e(
        "agent",
        "I'll tell you what, I'll reconnect it now and we sort the paperwork after.",
        "solution_offer",
    ),
    _e(
        "agent",
        "Would a payment holiday for two months help you out?",
        "solution_offer",
    ),
    _e(
        "agent",
        "Okay, so, because the router's been dropping every evening and you work from home, "
        "what I can do is upgrade you to the newer model at no cost and have it with you by "
        "Wednesday.",
        "solution_offer",
    ),
    _e(
        "agent",
        "I can reverse the charge for you right now, it'll show in a day or two.",
        "solution_offer",
    ),
    # hard negatives sharing words with solution offers
    _e("agent", "I can see the payment went through on the fourth."),
    _e("agent", "The options are listed on page two of the booklet."),
    _e("customer", "I could offer to pay by card, if that's easier for you."),
    # --- ownership -----------------------------------------------------------------------------
    _e(
        "agent",
        "Leave it with me, I'll sort it out and ring you back before five.",
        "ownership",
    ),
    _e("agent", "I'll take care of it personally.", "ownership"),
    _e(
        "agent",
        "I'm not letting this go until it's fixed, you have my word.",
        "ownership",
    ),
    _e(
        "agent",
        "I'll chase the engineers myself and, um, update you tomorrow morning.",
        "ownership",
    ),
    _e(
        "agent",
        "This is on me now, I'll see it through to the end.",
        "ownership",
    ),
    _e(
        "agent",
        "I'll keep your case open under my name so you don't have to explain it again.",
        "ownership",
    ),
    _e(
        "agent",
        "I'll be the one following this up, sugar, you won't get passed around.",
        "ownership",
    ),
    _e(
        "agent",
        "I'm going to ring the warehouse myself while you're on the line.",
        "ownership",
    ),
    _e(
        "agent",
        "I will personally make sure the refund lands by Friday.",
        "ownership",
    ),
    _e(
        "agent",
        "Right, I'll own this one, I'll email you my direct line.",
        "ownership",
    ),
    _e(
        "agent",
        "So the last two people said somebody would call you and nobody did, and I'm telling "
        "you now, I'll be the person who calls you, tomorrow, by ten.",
        "ownership",
    ),
    _e(
        "agent",
        "I'll look after the complaint from here, you needn't ring anyone else.",
        "ownership",
    ),
    # hard negatives sharing words with ownership
    _e("agent", "The account owner has to give consent before I go any further."),
    _e("agent", "I'll just put you on hold for a moment while the page loads."),
    # --- paraphrasing --------------------------------------------------------------------------
    _e(
        "agent",
        "So, just so I've got it straight, the meter's on the outside wall and nobody can get to "
        "it.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "If I understand you right, the refund went to a card you've since cancelled.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Let me play that back to you, you paid on the first and it's still showing as overdue.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "So basically you're saying the upgrade made your signal worse, not better.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Okay, in other words, you never actually received the first delivery at all.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Just to recap, you'd like the direct debit moved to the twentieth and the arrears "
        "cleared in two parts.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "What I'm hearing is, um, the app charged you but the ticket never came through.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Sounds like the issue is the bill's in your late husband's name and you want it moved "
        "to yours.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "So you're after a refund for the two weeks it was down, is that it?",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Let me check I've followed, the old provider still bills you and we bill you as well.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Right, so to sum up, the fridge arrived dented and the driver wouldn't take it back.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Okay, I've got the account open, and, just so I'm clear on the timeline, the outage "
        "started Saturday night and it's been off ever since?",
        "paraphrasing",
    ),
    # hard negatives sharing words with paraphrasing
    _e("agent", "So, the next step is a quick security check, could I take your date of birth?"),
    _e("agent", "Just to let you know, the line may go quiet while I search."),
    _e("customer", "So basically I just want to know when the engineer is coming."),
    # --- boundary setting ----------------------------------------------------------------------
    _e(
        "agent",
        "Please don't speak to me like that.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "I'll not be spoken to that way, so if it carries on I'll be hanging up.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "Sir, I'm happy to help, but I need you to stop swearing at me.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "There's no need for that language, I'm trying to help you here.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "I'll give you one warning, if the insults continue this call will be ended.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "I won't tolerate being shouted at, I'm going to, um, pause here for a moment.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "Our staff have the right to work without abuse, so please keep it civil.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "Hey now, easy with the name-calling, alright?",
        "boundary_setting",
    ),
    _e(
        "agent",
        "I'm ending the call now because of the abusive language. Goodbye.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "I'm going to need you to tone it down, otherwise I'll have to disconnect.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "Look, I get that you're annoyed, and I'm listening, I really am, but calling me a liar "
        "isn't on and I'm not going to continue if that keeps happening.",
        "boundary_setting",
        "empathy",
    ),
    _e(
        "agent",
        "That's enough now, I'm not here to be sworn at.",
        "boundary_setting",
    ),
    # hard negatives sharing words with boundary setting
    _e("agent", "The call may end suddenly if the signal drops, so give me a number to ring back."),
    _e("agent", "Our terms say the contract can be ended with thirty days' notice."),
    # --- closing -------------------------------------------------------------------------------
    _e("agent", "Cheers, have a good one.", "closing"),
    _e(
        "agent",
        "Is there anything else at all I can help with? Lovely, take care now, bye bye.",
        "closing",
    ),
    _e(
        "agent",
        "Thanks a million for ringing, mind yourself now.",
        "closing",
    ),
    _e(
        "agent",
        "Y'all have a blessed evening now, thanks for callin'.",
        "closing",
    ),
    _e(
        "agent",
        "Thank you for choosing us, and have a pleasant afternoon.",
        "closing",
    ),
    _e("agent", "Right, that's you all sorted. Bye for now.", "closing"),
    _e(
        "agent",
        "Was there, um, anything else you needed today? No? Okay, goodbye then.",
        "closing",
    ),
    _e("agent", "Thanks so much for your time, enjoy the rest of your weekend.", "closing"),
    _e(
        "agent",
        "Great, so that's the refund done, the new router ordered, and the engineer cancelled, "
        "and that's everything from my side, so thanks for calling and have a lovely evening.",
        "closing",
    ),
    _e("agent", "No worries at all, catch you later, bye.", "closing"),
    _e(
        "agent",
        "You'll get a short survey by text after this call, thanks again and goodbye.",
        "closing",
    ),
    _e(
        "agent",
        "Thanks Grace, you take care of yourself, bye now.",
        "closing",
        "customer_name_used",
    ),
    # hard negatives sharing words with closing
    _e("agent", "Thanks for that, and is there anything else on the bill you don't recognise?"),
    _e("customer", "Thanks, but I still don't have a date for the repair."),
    _e("agent", "Have a look at the top of the page, you'll see a red button."),
    # --- abuse (customer) ----------------------------------------------------------------------
    _e("customer", "You useless pack of galahs.", "abuse"),
    _e("customer", "Are ye deaf or just stupid?", "abuse"),
    _e("customer", "You're a pathetic excuse for a help desk.", "abuse"),
    _e("customer", "Shut up and listen, you moron.", "abuse"),
    _e("customer", "Oh wow, what a genius, did you work that out all by yourself?", "abuse"),
    _e("customer", "You're nothing but a bunch of crooks and liars.", "abuse"),
    _e("customer", "Go and get stuffed, you clown.", "abuse"),
    _e("customer", "You absolute eejit, you've cut me off again.", "abuse"),
    _e("customer", "I swear, you are, uh, the thickest person I've ever dealt with.", "abuse"),
    _e("customer", "Piss off, the lot of you.", "abuse"),
    _e("customer", "You're a waste of space, honestly.", "abuse"),
    _e("customer", "Listen here, you useless bloody robot, I'm paying your wages.", "abuse"),
    _e(
        "customer",
        "I've been on this phone for an hour and a half and you, you incompetent fool, still "
        "can't tell me where my van is.",
        "abuse",
    ),
    # hard negatives sharing words with abuse
    _e("customer", "The bloody printer's jammed, hold on."),
    _e("customer", "This is a stupid system, not your fault, I know."),
    _e("customer", "Damn, I've left the letter upstairs."),
    _e("customer", "I feel like a fool for not checking the date."),
    # --- the customer's name, on its own --------------------------------------------------------
    _e("agent", "Thanks, Grace, just bear with me one second.", "customer_name_used"),
    _e(
        "agent",
        "Mrs Donnelly, could you confirm the first line of the address?",
        "customer_name_used",
    ),
    _e("agent", "Okay Grace, and which email should I send it to?", "customer_name_used"),
    _e("agent", "Are you still there, Ms Donnelly?", "customer_name_used"),
    _e(
        "agent",
        "Grace, could you read me the reference at the top of the letter?",
        "customer_name_used",
    ),
    # hard negatives sharing words with the customer's name
    _e("customer", "Yes, it's Grace Donnelly, D O N N E L L Y."),
    _e("agent", "Is that twelve Donnelly Street, in the town centre?"),
    _e("agent", "There's a fourteen-day grace period before the late charge applies."),
    _e("agent", "Mr Pretorius is the named contact, can he come to the phone?"),
    # routine talk
    _e("agent", "I'll read that back, seven, four, two, nine, zero."),
    _e("customer", "I'm sorry to be a pain, but could you check it one more time?"),
    _e("customer", "The last lady I spoke to was lovely, she said it was all sorted."),
    # --- several kinds in one turn -------------------------------------------------------------
    _e(
        "customer",
        "Get your manager, you incompetent idiot.",
        "manager_request",
        "abuse",
    ),
    _e(
        "agent",
        "Grace, I'm sorry the engineer didn't show, and I'll rebook him myself for tomorrow "
        "morning.",
        "customer_name_used",
        "specific_apology",
        "ownership",
    ),
    _e(
        "agent",
        "That's the billing team's mess, you'll need to ring them on the number on your bill.",
        "blame_passing",
        "bouncing",
    ),
    _e(
        "agent",
        "So you were charged for a phone you sent back. I can refund that today if you like.",
        "paraphrasing",
        "solution_offer",
    ),
    _e(
        "agent",
        "Mrs Donnelly, I won't accept being called names, but I can get my supervisor for you "
        "if you'd prefer.",
        "customer_name_used",
        "boundary_setting",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Sorry, but no, I can't do that for you.",
        "bare_apology",
        "negative_phrasing",
    ),
    _e(
        "customer",
        "You thick clown, put someone in charge on the phone now.",
        "abuse",
        "manager_request",
    ),
    _e(
        "agent",
        "That must be so stressful, Grace. Let me send a replacement out first thing tomorrow.",
        "empathy",
        "customer_name_used",
        "solution_offer",
    ),
)

VOICES: tuple[str, ...] = ("en-us+f3", "en-gb-x-gbcwmd+m1")
