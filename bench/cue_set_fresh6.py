"""A sixth fresh, blind labelled set of call-centre utterances for the cue benchmark (issue 14).

What: about two hundred and thirty single utterances (agent or customer), each labelled with every
cue kind a careful human annotator would mark: at least twelve positives for each of the fifteen
kinds, some utterances carrying two to four kinds, and about forty-five hard negatives placed
beside the kind whose words they share ("sorry" meaning "pardon", an apology letter that is only
mentioned, a manager, supervisor or escalation that is not being offered or asked for, a customer
asking for a department rather than a superior, procedural "so", "I'll" and "I can" sentences,
reassurances built on "can't" and "no", a partner or bank named without blame, thanks and
"before you go" mid-call, instructions to stop using a card, swearing at an outage, a phone or a
dog rather than at the agent, a customer calling herself an idiot, the customer's surname as a
road and another policyholder's name, routine talk).

How it was written: blind to the cue detectors. The author (helper H1, session 18) did not open,
grep or read the git history of the matcher's word lists or cue files (models/speech/cues.toml,
models/speech/cues.py, cue_pass.py, verify.py), anything under models/ named *meaning* or
*embed*, models/scoring/*, bench/cue_probes_s16.py, bench/train_* or bench/*meaning*, the cue
sections of docs/benchmarks_telephone.md, or the other helpers' notes of the session. Read:
bench/cue_set_fresh5.py, bench/cue_set_fresh4.py and bench/cue_set_fresh3.py (the format, the
labelling conventions, and which wordings to avoid repeating), bench/bench_cues.py (how a set is
loaded and spoken) and tests/unit/models/test_cue_sets_blind.py. The wording imitates Indian,
Nigerian, Canadian, New Zealand and Welsh English on insurance claims, telecom outages, airline
rebooking, card fraud and utilities: long rambling turns with the cue at the very end, very short
turns, ASR-hostile short forms ("TL", "oga", "wanna", "gimme", "okey-doke", "ka kite"), honorifics
("ma'am", "ji", "bach", "cariad") and corporate scripts. Labels follow the earlier sets'
conventions: manager requests and abuse are customer turns, every other kind is an agent turn;
swearing at a situation is not abuse; "sorry" meaning "pardon" is not an apology; an apology that
names what went wrong is specific, one that does not ("for the hassle", "for any inconvenience")
is bare; passing the customer to another team or company is bouncing; ``customer_name_used`` is
marked on exactly the agent turns that address the customer by first or last name (not on a road
that shares her surname).

Voices: two espeak-ng voices no earlier set used (``en-us+f1``, the US voice with a female
variant, and ``en-gb-x-gbclan+m4``, the Lancaster British voice with a male variant), picked by
hand from thirteen candidates as intelligible through wideband and G.711 on neutral sentences that
are not in this set. Both variants change the synthesised audio (``espeak-ng --stdout`` bytes
differ from the base voices'); the plain ``en-gb`` voice ignores its variants (``en-gb+m7``,
``+f3`` and ``+f4`` gave the base voice's bytes), so it was not used.

Why: the earlier sets have been looked at while the matcher (and possibly the sentence-embedding
detector) was developed, so they no longer measure generalisation. This set is for ONE held-out evaluation only (the
new embedding detector beside the phrase matcher): never tune patterns, examples or thresholds on
it, never copy its phrases into a detector, its training data or other sets, and do not quote it
in notes or docs. Once it has been used to report a number, treat it as spent and write a new one.
"""

from __future__ import annotations

CUSTOMER_NAME = "Priya Sharma"

Labelled = tuple[str, str, frozenset[str]]


def _e(speaker: str, text: str, *kinds: str) -> Labelled:
    return (speaker, text, frozenset(kinds))


UTTERANCES: tuple[Labelled, ...] = (
    # --- empathy -----------------------------------------------------------------------------
    _e(
        "agent",
        "A flooded kitchen two days before Diwali, ma'am, that is really very troubling, I "
        "understand fully.",
        "empathy",
    ),
    _e(
        "agent",
        "Ah, that one is not a small thing at all, standing in the banking hall since morning, I "
        "feel for you.",
        "empathy",
    ),
    _e(
        "agent",
        "Oh geez, no heat in January up in Sudbury, eh? That's brutal, I'd be beside myself.",
        "empathy",
    ),
    _e(
        "agent",
        "Oh, that's gutting, all your fishing gear gone from the ute, I'd be properly rattled too.",
        "empathy",
    ),
    _e(
        "agent",
        "Duw, that's a lot to be dealing with, bach, what with your mam poorly and all.",
        "empathy",
    ),
    _e("agent", "Oof. That's rough.", "empathy"),
    _e("agent", "Yeah no, 'course you're worried, anyone would be, y'know?", "empathy"),
    _e(
        "agent",
        "Okay, so I've got the claim here, it was lodged on the ninth, the assessor went out on "
        "the fourteenth, the photos are all attached, and, look, I can only imagine how "
        "unsettling it is having a tarp on your roof for a fortnight.",
        "empathy",
    ),
    _e(
        "agent",
        "Missing your sister's wedding because of a cancelled connection, that's genuinely "
        "heartbreaking.",
        "empathy",
    ),
    _e(
        "agent",
        "Finding out strangers have been spending on your card must feel really violating, it's "
        "completely natural to be shaken.",
        "empathy",
    ),
    _e(
        "agent",
        "Priya, you've clearly been through the wringer with this, no wonder you're worn out.",
        "empathy",
        "customer_name_used",
    ),
    _e(
        "agent",
        "We fully acknowledge the distress this disruption has caused you and your household.",
        "empathy",
    ),
    # hard negatives sharing words with empathy
    _e("agent", "I feel the line's a bit crackly, could you move closer to the modem?"),
    _e("customer", "I can only imagine what the bill will look like next month."),
    _e("agent", "That must be the older policy, the one renewed in twenty nineteen."),
    # --- specific apology ----------------------------------------------------------------------
    _e(
        "agent",
        "I'm sorry your flight credit didn't show up in the app like we said it would.",
        "specific_apology",
    ),
    _e(
        "agent",
        "Apologies, ma'am, for the wrong amount being debited twice from your savings account.",
        "specific_apology",
    ),
    _e(
        "agent",
        "Kindly accept our sincere apologies for the outage in your area since Friday.",
        "specific_apology",
    ),
    _e(
        "agent",
        "I'm really sorry, eh, that the furnace guy didn't bring the right part.",
        "specific_apology",
    ),
    _e(
        "agent",
        "Sorry about the, ah, the letter with someone else's details on it, that's a privacy "
        "slip and it shouldn't have happened.",
        "specific_apology",
    ),
    _e(
        "agent",
        "Sorry the assessor was so short with you when he came round, that's not on.",
        "specific_apology",
    ),
    _e(
        "agent",
        "I apologise sincerely that your new card went out before the fraud block was lifted.",
        "specific_apology",
    ),
    _e(
        "agent",
        "So the reconnection fee is on there, the disconnection was on the third, the payment "
        "cleared on the second, which means the cut-off should never have happened, and I'm "
        "sorry we shut your power off when you'd already paid.",
        "specific_apology",
    ),
    _e(
        "agent",
        "Mrs Sharma, my apologies for the confusion over which excess applies to your claim.",
        "specific_apology",
        "customer_name_used",
    ),
    _e("agent", "Sorry for cutting across you just then, please go on.", "specific_apology"),
    _e(
        "agent",
        "I'm sorry, love, that nobody rang you back about the burst pipe, that's poor of us.",
        "specific_apology",
    ),
    _e(
        "agent",
        "That text saying your account was closed went out in error, and I'm truly sorry for it.",
        "specific_apology",
    ),
    # hard negatives sharing words with apologies
    _e("agent", "Sorry, the line went all robotic, could you give me the postcode once more?"),
    _e("customer", "Sorry for rambling, I've been up since four with this."),
    _e("agent", "The apology letter from the airline should be attached to your booking."),
    # --- bare apology --------------------------------------------------------------------------
    _e("agent", "Sorry, eh.", "bare_apology"),
    _e("agent", "My sincere apologies, sir.", "bare_apology"),
    _e("agent", "Ahh, so sorry about that one.", "bare_apology"),
    _e("agent", "Very very sorry, ma'am.", "bare_apology"),
    _e("agent", "I'm sorry, you know, I really am.", "bare_apology"),
    _e("agent", "Sorry 'bout that, bud.", "bare_apology"),
    _e("agent", "Ugh, sorry.", "bare_apology"),
    _e("agent", "Sorry for the hassle, yeah?", "bare_apology"),
    _e("agent", "Our apologies.", "bare_apology"),
    _e("agent", "So sorry, Priya.", "bare_apology", "customer_name_used"),
    _e("agent", "Please forgive us.", "bare_apology"),
    _e("agent", "Apologies all round.", "bare_apology"),
    _e(
        "agent",
        "Right, so I've updated the number, I've updated the email, I've put the note on, and, "
        "um, yeah, sorry.",
        "bare_apology",
    ),
    # --- supervisor offer ----------------------------------------------------------------------
    _e(
        "agent",
        "Shall I bring my TL on the line, ma'am? He's sitting just beside me.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "I can ask the branch manager to give you a tinkle tomorrow, if that suits.",
        "supervisor_offer",
    ),
    _e("agent", "Want me to bump this up to my supervisor, eh?", "supervisor_offer"),
    _e(
        "agent",
        "There's a floor manager on tonight, I could fetch her over if you'd rather.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "I'm able to open a formal escalation with the resolutions manager on your behalf.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Look, if you'd feel better hearing it from someone above me, just say the word.",
        "supervisor_offer",
    ),
    _e("agent", "Let me see if my shift lead is free to jump on.", "supervisor_offer"),
    _e(
        "agent",
        "I could refer this up to the fraud team's senior investigator, she has more discretion "
        "than me.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "I've tried the reissue, I've tried the manual override, the system's still saying no, "
        "and I don't want you going round in circles, so how about I put you through to my "
        "manager.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Priya, I can get my supervisor to call you back within two hours, would that work?",
        "supervisor_offer",
        "customer_name_used",
    ),
    _e("agent", "D'you wanna talk to my boss? I can grab him.", "supervisor_offer"),
    _e(
        "agent",
        "I'll get my team manager to ring you, cariad, she'll be able to sign it off.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "If it's helpful, a senior colleague can review the decision and call you directly.",
        "supervisor_offer",
    ),
    # hard negatives sharing words with supervisor offers
    _e("agent", "Your account manager at the business desk is Tunde, he looks after the contract."),
    _e("agent", "The escalation you raised last week was closed on Monday with a credit applied."),
    # --- manager request (customer) ------------------------------------------------------------
    _e(
        "customer",
        "Please call your oga for me, I don't want to talk to you again.",
        "manager_request",
    ),
    _e("customer", "I want to speak to your senior, madam, kindly connect.", "manager_request"),
    _e(
        "customer", "Get me a supervisor, eh, I've had enough of this runaround.", "manager_request"
    ),
    _e("customer", "Who's above you? Put them on.", "manager_request"),
    _e(
        "customer",
        "Right, I'd like this escalated to someone with actual authority, thanks.",
        "manager_request",
    ),
    _e(
        "customer",
        "Can I speak to whoever signs off on claims? Not you, the person above you.",
        "manager_request",
    ),
    _e("customer", "Gimme your supervisor, bud.", "manager_request"),
    _e(
        "customer",
        "And the tree came down on Saturday, and the insurer said ring the power company, and the "
        "power company said ring the insurer, and I've spent my whole weekend on hold, so "
        "honestly, I need to talk to a manager.",
        "manager_request",
    ),
    _e(
        "customer",
        "Is there someone more senior I could have a word with, please?",
        "manager_request",
    ),
    _e("customer", "Transfer me to your higher-ups, I'm done with the script.", "manager_request"),
    _e("customer", "Chuck me through to your boss, would ya, bro.", "manager_request"),
    _e("customer", "I'll hold for the manager, however long it takes.", "manager_request"),
    # hard negatives sharing words with manager requests
    _e("customer", "My manager signed the form, so the employer section is done."),
    _e("customer", "Which department does the roaming bolt-ons? Could you connect me there?"),
    _e("customer", "My husband's the site supervisor, he was home when the meter man came."),
    _e("customer", "I don't want your manager, I just want the refund."),
    # --- negative phrasing ---------------------------------------------------------------------
    _e("agent", "Ma'am, that is not possible, I have told you already.", "negative_phrasing"),
    _e("agent", "Nah, that's not gonna happen.", "negative_phrasing"),
    _e(
        "agent",
        "You should've reported the card stolen straight away, that's on you.",
        "negative_phrasing",
    ),
    _e("agent", "Policy is policy, I can't bend it for anyone.", "negative_phrasing"),
    _e("agent", "I'm not able to do anything about the weather, eh.", "negative_phrasing"),
    _e(
        "agent",
        "You'll have to accept the assessor's figure, there's no appeal on that.",
        "negative_phrasing",
    ),
    _e(
        "agent",
        "The answer hasn't changed since the last time you called: no.",
        "negative_phrasing",
    ),
    _e("agent", "You're not listening to me, the excess still applies.", "negative_phrasing"),
    _e(
        "agent",
        "I can't reverse a payment you approved with your own PIN, end of discussion.",
        "negative_phrasing",
    ),
    _e(
        "agent",
        "Well, you're out of luck, the rebooking window closed at midnight.",
        "negative_phrasing",
    ),
    _e(
        "agent",
        "I've checked the outage map, I've checked your line, I've run the test twice, and "
        "there's no fault showing, so honestly you're wasting your time calling about it.",
        "negative_phrasing",
    ),
    _e(
        "agent", "No, there's no way I'm waiving that, it's a standard charge.", "negative_phrasing"
    ),
    # hard negatives sharing words with negative phrasing
    _e("agent", "Not to worry, there's no fee for the replacement card."),
    _e("agent", "You can't be charged twice for the same outage, the system blocks it."),
    _e("customer", "No, that's not the right address, it's flat two."),
    # --- blame passing -------------------------------------------------------------------------
    _e(
        "agent",
        "That's the airline partner's doing, they cancelled the codeshare, not us.",
        "blame_passing",
    ),
    _e(
        "agent",
        "Honestly, the bank on the other end is slow, they take ages to release the funds.",
        "blame_passing",
    ),
    _e(
        "agent",
        "It's the ground handling company that lost your bag, we just sell the tickets.",
        "blame_passing",
    ),
    _e(
        "agent",
        "Ma'am, the courier vendor is at fault, we dispatched it on time only.",
        "blame_passing",
    ),
    _e(
        "agent",
        "The assessor's firm is independent, so if he got it wrong, that's his mess, not ours.",
        "blame_passing",
    ),
    _e(
        "agent",
        "The previous rep set your plan up wrong, I'd never have done it like that.",
        "blame_passing",
    ),
    _e("agent", "Blame the new app, eh, it's been glitchy since the update.", "blame_passing"),
    _e(
        "agent",
        "Head office in Toronto makes those calls, us frontline folks just get told after.",
        "blame_passing",
    ),
    _e(
        "agent",
        "The meter reader keyed it in wrong, that's where your big bill came from.",
        "blame_passing",
    ),
    _e(
        "agent",
        "The council's the one that dug through the cable, mate, not us.",
        "blame_passing",
    ),
    _e(
        "agent",
        "So your payment left your account on the first, it reached us on the fifth, it was "
        "allocated on the seventh, and the reason it sat there is your bank sends them in "
        "batches, so really that's down to their side.",
        "blame_passing",
    ),
    _e(
        "agent",
        "Some clown on the last shift closed the ticket without fixing anything.",
        "blame_passing",
    ),
    # hard negatives sharing words with blame passing
    _e("agent", "The airline partner will email your new boarding pass within the hour."),
    _e("customer", "I'll be honest, it was my son who set the account up wrong."),
    _e("agent", "The bank's fraud team has confirmed the card is blocked, so you're protected."),
    # --- bouncing ------------------------------------------------------------------------------
    _e(
        "agent",
        "For that you must approach your home branch with two ID proofs, madam.",
        "bouncing",
    ),
    _e(
        "agent",
        "You'll need to ring the airline directly, eh, they hold the ticket now.",
        "bouncing",
    ),
    _e(
        "agent",
        "Best to contact Service Canada about that one, it's not something we deal with.",
        "bouncing",
    ),
    _e(
        "agent",
        "Flick an email to the claims inbox and someone there will pick it up.",
        "bouncing",
    ),
    _e(
        "agent",
        "Have a look on the regulator's website and lodge it with them.",
        "bouncing",
    ),
    _e(
        "agent",
        "I'll pass you across to the fraud line, they'll take it from here.",
        "bouncing",
    ),
    _e(
        "agent",
        "You need to speak to your mortgage lender about the buildings cover, not us.",
        "bouncing",
    ),
    _e(
        "agent",
        "That's the water board, love, not the electric, different company altogether.",
        "bouncing",
    ),
    _e("agent", "Try the self-service portal, you can raise it there yourself.", "bouncing"),
    _e(
        "agent",
        "Your employer's HR people handle the group policy, have a chat to them.",
        "bouncing",
    ),
    _e(
        "agent",
        "So the tower near you is ours, but the fibre into your building belongs to the "
        "landlord's provider, and the fault is inside the building, so you'll need to get on to "
        "your strata manager about it.",
        "bouncing",
    ),
    _e("agent", "Nah, you gotta call the card issuer, bud.", "bouncing"),
    _e(
        "agent",
        "Please go to the nearest branch and meet customer service there, they will resolve it.",
        "bouncing",
    ),
    # hard negatives sharing words with bouncing
    _e("customer", "Your colleague on the chat gave me this number, that's why I'm calling."),
    _e("agent", "I'll stay on the line while the page refreshes, don't go anywhere."),
    _e("agent", "The branch on Queen Street opens at nine tomorrow, if you wanted to know."),
    # --- solution offer ------------------------------------------------------------------------
    _e(
        "agent",
        "What I can do is rebook you on the seven a.m. via Auckland at no extra cost.",
        "solution_offer",
    ),
    _e(
        "agent",
        "Ma'am, I will raise a chargeback for the fraudulent transactions and put a provisional "
        "credit on the account.",
        "solution_offer",
    ),
    _e(
        "agent",
        "How about we get a generator out to you until the line crew can get there?",
        "solution_offer",
    ),
    _e(
        "agent",
        "I can pop a temporary SIM in the post tonight so you've got service.",
        "solution_offer",
    ),
    _e(
        "agent",
        "Let's set up a payment plan, say fifty a fortnight, does that sound doable?",
        "solution_offer",
    ),
    _e(
        "agent",
        "We could authorise emergency repairs up to two thousand dollars so you're not waiting on "
        "the assessor.",
        "solution_offer",
    ),
    _e(
        "agent",
        "One thing I can try is a remote reset of the modem, shall I do that now?",
        "solution_offer",
    ),
    _e(
        "agent",
        "I'll knock the outage days off your next bill, that's five days' credit.",
        "solution_offer",
    ),
    _e(
        "agent",
        "We can reverse the debit within twenty-four hours once you confirm the details.",
        "solution_offer",
    ),
    _e(
        "agent",
        "Okay, so the original flight's gone, the next direct one is full, and the one via "
        "Vancouver gets in at midnight, so what I'd suggest is I book you on the Vancouver one "
        "and get you a lounge pass for the wait.",
        "solution_offer",
    ),
    _e(
        "agent",
        "Priya, I can waive the excess this time, given how long it's taken.",
        "solution_offer",
        "customer_name_used",
    ),
    _e("agent", "Would a loaner phone tide you over till the repair's done?", "solution_offer"),
    # hard negatives sharing words with solution offers
    _e("agent", "I can see three failed login attempts from overseas last night."),
    _e("customer", "Could you not just send me a new card, like?"),
    _e("agent", "I'll be able to see the claim once it syncs, give it a second."),
    # --- ownership -----------------------------------------------------------------------------
    _e(
        "agent",
        "I'll personally keep an eye on this till the refund hits your account, ma'am, and call "
        "you myself.",
        "ownership",
    ),
    _e("agent", "Consider it handled, I'm on it.", "ownership"),
    _e(
        "agent",
        "I'm making this my case from now on, you won't have to repeat yourself.",
        "ownership",
    ),
    _e(
        "agent",
        "Right, I'm gonna chase the line crew meself and get back to ya by three.",
        "ownership",
    ),
    _e("agent", "No one else is touching this file but me, promise.", "ownership"),
    _e(
        "agent",
        "I'll ring the hotel myself to make sure they've got your booking.",
        "ownership",
    ),
    _e(
        "agent",
        "Any problems, you ask for me by name, it's Siân, and I'll sort it.",
        "ownership",
    ),
    _e(
        "agent",
        "I'm going to follow this through personally, eh, you've got my word on that.",
        "ownership",
    ),
    _e(
        "agent",
        "I'll be your single point of contact for the claim from here on.",
        "ownership",
    ),
    _e(
        "agent",
        "The ticket's been bounced between three teams, nobody's owned it, the notes are a mess, "
        "and frankly that stops now, because I'm taking it on myself.",
        "ownership",
    ),
    _e(
        "agent",
        "I'll check back in with you on Thursday whether or not there's news.",
        "ownership",
    ),
    _e(
        "agent",
        "Leave the chasing to me, Priya, that's my job now.",
        "ownership",
        "customer_name_used",
    ),
    # hard negatives sharing words with ownership
    _e("agent", "The owner of the vehicle needs to make the claim, is that you?"),
    _e("agent", "I'll just take your date of birth for security."),
    _e("customer", "I'll sort it out myself, don't worry."),
    # --- paraphrasing --------------------------------------------------------------------------
    _e(
        "agent",
        "So if I'm following, ma'am, the money went out but the beneficiary never received it?",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Okay, let me see if I've got this, the internet cuts out every night around eight.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Just reflecting that back, you've got a hole in the ceiling and water coming through the "
        "light fitting.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Right, so the gate agent rebooked you, but the new ticket never actually got issued.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "So your worry is that whoever took the card details might still get into the app.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Put simply, you were promised a callback on Monday and nobody called.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Gotcha, so the bill's doubled but you've been away for most of the month.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "So the claim was approved in writing, and now they're saying it isn't covered, have I "
        "got that right?",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Sweet, so the modem lights are all green but you've got no internet at all.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Okay, hang on, there's a lot here, so let me make sure I've got the whole picture: you "
        "moved house in June, you asked for the account to move too, it didn't, and now you're "
        "getting bills for both places.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Priya, if I've understood, you'd like the policy cancelled from the date of the accident, "
        "not from today.",
        "paraphrasing",
        "customer_name_used",
    ),
    _e(
        "agent",
        "So what happened is the payment bounced because the account was frozen after the fraud "
        "alert, right?",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Mm-hmm, so you're saying the engineer came, had a look, and left without fixing anything.",
        "paraphrasing",
    ),
    # hard negatives sharing words with paraphrasing
    _e("agent", "So, I'll need the policy number, it's on the schedule page."),
    _e("customer", "So if I'm following you, I pay the excess first and get it back later?"),
    _e("agent", "Let me just repeat the reference for you: K, seven, seven, four, nine."),
    # --- boundary setting ----------------------------------------------------------------------
    _e(
        "agent",
        "Sir, I am requesting you to please not use such words with me.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "Oi, hang on, there's no call for that, I'm doing my best here.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "I'm gonna have to ask you to cool it with the swearing, eh.",
        "boundary_setting",
    ),
    _e("agent", "If you call me that again, I'll be ending the call.", "boundary_setting"),
    _e(
        "agent",
        "I'm happy to keep helping as long as we keep this respectful.",
        "boundary_setting",
    ),
    _e("agent", "Please stop shouting, I can hear you perfectly well.", "boundary_setting"),
    _e(
        "agent",
        "This is your final warning about the language, next time I disconnect.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "I've asked you twice now not to call me names, so this call is ending.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "I know how maddening it's been, with the hold times and the claim dragging on, and I do "
        "want to get it sorted for you, but I'm not going to carry on if you keep calling me "
        "stupid.",
        "boundary_setting",
        "empathy",
    ),
    _e(
        "agent",
        "Now then, there's no need to be nasty with me, I'm trying to help, see.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "Personal insults aren't acceptable, so please keep it to the issue.",
        "boundary_setting",
    ),
    _e("agent", "Hey, less of the language, please.", "boundary_setting"),
    # hard negatives sharing words with boundary setting
    _e("agent", "We'll stop the call recording once the card payment part is done."),
    _e("agent", "Please stop using the card until the new one arrives."),
    _e("agent", "There's a limit on how many times the PIN can be tried before it locks."),
    # --- closing -------------------------------------------------------------------------------
    _e("agent", "Thank you for calling, ma'am, have a nice day ahead.", "closing"),
    _e("agent", "Alrighty, you're all set, take 'er easy.", "closing"),
    _e("agent", "Cheers for your patience, all the best, ka kite.", "closing"),
    _e("agent", "Diolch, and all the best now, ta-ra.", "closing"),
    _e("agent", "Okay, that's all done, stay safe, bye-bye.", "closing"),
    _e("agent", "Thanks for flying with us, and safe travels tomorrow.", "closing"),
    _e("agent", "If nothing else comes up, I'll let you go. Take care.", "closing"),
    _e("agent", "Thanks for bearing with me, you have a good night now.", "closing"),
    _e(
        "agent",
        "So the credit's applied, the new modem ships tomorrow, the tech's booked for Friday "
        "between eight and noon, you'll get a text the night before, and I think that covers "
        "everything, so thanks so much for calling in.",
        "closing",
    ),
    _e(
        "agent",
        "Brilliant, Priya, thanks a lot, enjoy your evening.",
        "closing",
        "customer_name_used",
    ),
    _e("agent", "Thank you for your time, and goodbye.", "closing"),
    _e("agent", "Okey-doke, talk soon, bye.", "closing"),
    _e("agent", "Thank you for banking with us, and God bless.", "closing"),
    # hard negatives sharing words with closing
    _e("agent", "Cheers, and what's the best number to reach you on?"),
    _e("customer", "Okay, bye, wait, no, one more thing about the excess."),
    _e("agent", "Before you go, I need to read you the cancellation terms."),
    # --- abuse (customer) ----------------------------------------------------------------------
    _e("customer", "You are a useless fellow, simply useless.", "abuse"),
    _e("customer", "Are you a mumu? Do you not have any sense at all?", "abuse"),
    _e("customer", "What a muppet, honestly, can you even read?", "abuse"),
    _e("customer", "You're a total hoser, y'know that?", "abuse"),
    _e("customer", "You're a useless egg, aren't ya.", "abuse"),
    _e("customer", "Talk to me like that again and you'll regret it, you little worm.", "abuse"),
    _e("customer", "Are you thick? I said the fourteenth!", "abuse"),
    _e(
        "customer",
        "I've sent the photos, I've sent the receipts, I've sent the police report, I've done "
        "everything you people asked, and you sit there reading me the same script, you "
        "brainless parrot.",
        "abuse",
    ),
    _e("customer", "Go to hell, the whole shower of you.", "abuse"),
    _e("customer", "You're about as clever as a box of rocks.", "abuse"),
    _e("customer", "Don't you dare ma'am me, you condescending little twit.", "abuse"),
    _e("customer", "Stupid cow.", "abuse"),
    # hard negatives sharing words with abuse
    _e("customer", "This bloody outage has wrecked my whole week."),
    _e("customer", "Argh, this flaming phone keeps dying on me."),
    _e("customer", "Oh shit, the dog's got out, hang on a sec."),
    _e("customer", "I was an idiot to click that link, I know."),
    # --- the customer's name, on its own --------------------------------------------------------
    _e(
        "agent",
        "Ms Sharma, can you confirm the last four digits of the card?",
        "customer_name_used",
    ),
    _e("agent", "Got it, Priya, one sec while that loads.", "customer_name_used"),
    _e(
        "agent",
        "Mrs Sharma, you've gone quiet, is the line still okay?",
        "customer_name_used",
    ),
    _e(
        "agent",
        "Priya ji, please confirm your registered mobile number.",
        "customer_name_used",
    ),
    _e("agent", "And Priya, is the vehicle garaged overnight?", "customer_name_used"),
    _e("agent", "Righto, Ms Sharma, now the date of the loss?", "customer_name_used"),
    # hard negatives sharing words with the customer's name
    _e("customer", "It's Priya, P R I Y A, Sharma."),
    _e("agent", "Is that forty-one Sharma Road, near the temple?"),
    _e("agent", "The policyholder listed is Mr Vikram Mehta, is he available?"),
    _e("agent", "Please could you spell the surname for me?"),
    # routine talk
    _e("agent", "Just loading your policy schedule now, won't be a tick."),
    _e("customer", "Yeah, the reference is on the email, it starts with F R."),
    # --- several kinds in one turn -------------------------------------------------------------
    _e(
        "customer",
        "You're hopeless, absolutely hopeless, just put your supervisor on the line.",
        "abuse",
        "manager_request",
    ),
    _e(
        "agent",
        "Priya, I'm sorry the assessor cancelled again, and I'll phone him myself right after "
        "this call.",
        "customer_name_used",
        "specific_apology",
        "ownership",
    ),
    _e(
        "agent",
        "The courier's lost it, so you'll have to lodge a claim with them directly.",
        "blame_passing",
        "bouncing",
    ),
    _e(
        "agent",
        "So the card was cloned at the petrol station. I'll cancel it and express you a new one.",
        "paraphrasing",
        "solution_offer",
    ),
    _e(
        "agent",
        "Ms Sharma, I won't take abuse, but if you want, I can have my team leader call you.",
        "customer_name_used",
        "boundary_setting",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Apologies, but the answer's no, and it'll stay no.",
        "bare_apology",
        "negative_phrasing",
    ),
    _e(
        "agent",
        "That sounds so stressful with a newborn at home, Priya, let me get a crew out to you as "
        "a priority.",
        "empathy",
        "customer_name_used",
        "solution_offer",
    ),
    _e(
        "customer",
        "Put your oga on the phone, you clueless goat.",
        "abuse",
        "manager_request",
    ),
    _e(
        "agent",
        "I'm really sorry the outage has gone on this long, I know it's been hard, and I'll keep "
        "checking on it myself.",
        "specific_apology",
        "empathy",
        "ownership",
    ),
    _e(
        "agent",
        "Sorry again about the double charge, and thanks for calling, take care.",
        "specific_apology",
        "closing",
    ),
    _e(
        "agent",
        "That's head office's fault, not mine, and there's nothing I can do about it.",
        "blame_passing",
        "negative_phrasing",
    ),
)

VOICES: tuple[str, ...] = ("en-us+f1", "en-gb-x-gbclan+m4")
