"""A fourth fresh, blind labelled set of call-centre utterances for the cue matcher (issue 14).

What: about two hundred and fifty single utterances (agent or customer), each labelled with every
cue kind a careful human annotator would mark: at least twelve positives for each of the fifteen
kinds, some utterances carrying two to four kinds, and about fifty hard negatives placed beside the
kind whose words they share (an apology word used as "pardon", a manager or supervisor who is not
being offered or asked for, a request to be transferred that is not an escalation, names that are
not the customer's or are not addressed to her, procedural "I can" and "so" sentences, numbers and
spelling read back, thanks and "anything else" in the middle of a call, instructions, swearing at a
thing rather than at the agent, a customer apologising, routine talk).

How it was written: blind to the matcher. The author (helper H5, session 17) did not open, grep
or read the git history of the matcher's word lists or cue files (models/speech/cues.toml,
models/scoring/*cue*, any cue TOML or regex file), models/speech/cues.py, cue_pass.py, verify.py,
bench/cue_probes_s16.py or the other helpers' work of the session. Read: bench/cue_set_fresh3.py
and bench/cue_set_fresh2.py (the format, and which frames to avoid repeating), bench/bench_cues.py
(how a set is loaded and spoken), the section on the third blind set in
docs/benchmarks_telephone.md. The wording imitates how agents and customers talk on the phone in
British, American and Indian English (regional idioms of each), with fillers that split a cue,
indirect phrasings, long turns with the cue in the middle, and short ones. Labels follow the
conventions of the earlier sets: manager requests and abuse are customer turns, every other kind
is an agent turn; swearing at a situation rather than at the agent is not abuse; "sorry" meaning
"pardon" is not an apology; ``customer_name_used`` is marked on agent turns that address the
customer by her first or last name (not on a street that shares the surname).

Voices: two espeak-ng voices no earlier set used (``en-gb-x-rp+f2``, a British RP voice with a
female variant, and ``en-us+m6``, a US voice with a male variant), chosen as the clearest of
fourteen candidates through G.711 and GSM on neutral sentences that are not in this set.

Why: the earlier sets have been looked at while the matcher was developed, so they no longer
measure generalisation. This set is for ONE held-out evaluation only (the lead's, at the end of
session 17): never tune patterns or thresholds on it, never copy its phrases into the matcher or
into other sets, and do not quote it in notes or docs. Once it has been used to report a number,
treat it as spent and write a new one.
"""

from __future__ import annotations

CUSTOMER_NAME = "Helen Mitchell"

Labelled = tuple[str, str, frozenset[str]]


def _e(speaker: str, text: str, *kinds: str) -> Labelled:
    return (speaker, text, frozenset(kinds))


UTTERANCES: tuple[Labelled, ...] = (
    # --- empathy -----------------------------------------------------------------------------
    _e(
        "agent",
        "Stuck at the airport with two tired kids and no hotel, honestly, that is a nightmare, "
        "I'm not surprised you're at the end of your tether.",
        "empathy",
    ),
    _e(
        "agent", "Ugh, that's the worst, when you've waited in all day and nobody shows.", "empathy"
    ),
    _e(
        "agent",
        "Ma'am, I can feel how much tension this is causing you, and it is completely "
        "understandable.",
        "empathy",
    ),
    _e(
        "agent",
        "You know, if that happened to my mum I'd be, um, I'd be really upset as well.",
        "empathy",
    ),
    _e(
        "agent",
        "Helen, it sounds like you've had a horrible few days, what with the boiler and now this.",
        "empathy",
        "customer_name_used",
    ),
    _e("agent", "I totally hear you, nobody wants to spend their Saturday on hold.", "empathy"),
    _e(
        "agent",
        "Gosh, losing your bank card the day before payday, that must've put you in a real panic.",
        "empathy",
    ),
    _e(
        "agent",
        "Right, okay, and with your husband in hospital on top of it all, I can only begin to "
        "imagine how much you've got on your plate.",
        "empathy",
    ),
    _e(
        "agent",
        "Oh no, your daughter's graduation? That's heartbreaking, I'd be gutted to miss that.",
        "empathy",
    ),
    # hard negatives sharing words with empathy
    _e("agent", "That sounds like the older model of router, the one with the white casing."),
    _e(
        "agent",
        "I understand the account is in joint names, so I'll need both of you to confirm.",
    ),
    _e("customer", "You have to understand, I've got three kids and no car out here."),
    # --- specific apology ----------------------------------------------------------------------
    _e(
        "agent",
        "I'm really sorry we sent the replacement phone to your old flat instead of the new "
        "address.",
        "specific_apology",
    ),
    _e(
        "agent",
        "Please accept my apologies for the engineer leaving your front garden in that state.",
        "specific_apology",
    ),
    _e(
        "agent",
        "I'm sorry, truly, that you had to explain all of this three times to three different "
        "people.",
        "specific_apology",
    ),
    _e(
        "agent",
        "We owe you an apology for the disconnection letter, it went out to you in error.",
        "specific_apology",
    ),
    _e(
        "agent",
        "Sorry that the, um, you know, the refund took so long to reach your account, that's "
        "on us.",
        "specific_apology",
    ),
    _e(
        "agent",
        "I apologise for the confusion about the cancellation fee on your final bill.",
        "specific_apology",
    ),
    _e(
        "agent",
        "Ma'am, we are extremely sorry for the delay in activating your SIM card.",
        "specific_apology",
    ),
    _e("agent", "I'm sorry for putting you on hold for so long just now.", "specific_apology"),
    _e(
        "agent",
        "I'm so sorry your wedding flowers turned up wilted, that must have been awful on the day.",
        "specific_apology",
        "empathy",
    ),
    _e(
        "agent",
        "Apologies that the meter reader, er, didn't leave a card when nobody was in.",
        "specific_apology",
    ),
    _e(
        "agent",
        "I want to say sorry for how the last call ended, you should never have been hung up on.",
        "specific_apology",
    ),
    _e(
        "agent",
        "Mrs Mitchell, I'm sorry the direct debit came out twice this month.",
        "specific_apology",
        "customer_name_used",
    ),
    _e(
        "agent",
        "Right, so, what I've done while you were on hold is look at the last three bills, and "
        "honestly, I'm really sorry the estimates were so far off, because you'd sent us a "
        "reading every single month and I can see them all on here.",
        "specific_apology",
    ),
    # hard negatives sharing words with apologies
    _e("customer", "I'm sorry for shouting earlier, it's been a horrible week."),
    _e("customer", "Pardon me, sorry, the dog was barking, what did you say the total was?"),
    _e("agent", "Sorry, what was your postcode?"),
    _e("agent", "Sorry, was that the fifth or the fifteenth?"),
    _e("agent", "Just to let you know, calls are recorded for training and quality purposes."),
    # --- bare apology --------------------------------------------------------------------------
    _e("agent", "Sorry about this.", "bare_apology"),
    _e("agent", "Oh dear, I'm sorry.", "bare_apology"),
    _e("agent", "I'm terribly sorry, madam.", "bare_apology"),
    _e("agent", "Apologies, apologies.", "bare_apology"),
    _e("agent", "I'm so sorry, honestly.", "bare_apology"),
    _e("agent", "Sorry for the trouble.", "bare_apology"),
    _e("agent", "On behalf of the company, sorry for the hassle.", "bare_apology"),
    _e("agent", "Extremely sorry, sir.", "bare_apology"),
    _e("agent", "Helen, I'm, um, I'm so sorry.", "bare_apology", "customer_name_used"),
    _e("agent", "My bad, sorry about that.", "bare_apology"),
    _e("agent", "Ah, sorry, sorry.", "bare_apology"),
    _e("agent", "Sorry you feel that way.", "bare_apology"),
    _e(
        "agent",
        "I'm sorry, but there's nothing more I can add to what I've said.",
        "bare_apology",
        "negative_phrasing",
    ),
    # --- supervisor offer ----------------------------------------------------------------------
    _e(
        "agent",
        "If you'd rather take this higher, I can have my team lead call you back within the hour.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Would you like me to loop in my supervisor? She's just across the floor.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Sir, if you want, I will escalate this to my senior and get you a call back today itself.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "I can, um, you know, grab a manager for you if that's what you'd prefer.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Let me pass this up to the complaints manager so it gets a proper review.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "I can ask someone with more authority to take a look, would that help?",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "I'm happy to raise a formal escalation with my shift manager right now if you want.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "My supervisor is free in about ten minutes, shall I ask her to ring you?",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Helen, would it help if my line manager came on the call with us?",
        "supervisor_offer",
        "customer_name_used",
    ),
    _e(
        "agent",
        "I can transfer you over to the escalations team lead, she can authorise things I can't.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Do you want to speak with somebody more senior? I don't mind at all.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "If it's okay with you, I'd like to bring my manager in on this, because the amount is "
        "over my limit.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Okay, and just while I have you, because I know you said you've got to pick the kids up "
        "at three, if it's easier I could get my supervisor to ring you this evening instead, "
        "whichever suits.",
        "supervisor_offer",
    ),
    # hard negatives sharing words with the supervisor offer
    _e(
        "agent",
        "My manager's asked us all to confirm email addresses on every call, so can I just "
        "check yours?",
    ),
    _e(
        "agent",
        "The store manager has already signed the return off, so it's on its way back to the "
        "warehouse.",
    ),
    _e(
        "agent",
        "The supervisor code on the form is just for internal use, you can ignore that box.",
    ),
    _e("agent", "I'll just pop you on hold for a moment while I load the account."),
    # --- manager request (customer) ------------------------------------------------------------
    _e("customer", "Right, that's it, can I talk to whoever's in charge there?", "manager_request"),
    _e("customer", "I need to speak to a manager, right now.", "manager_request"),
    _e(
        "customer",
        "Put me onto your team leader, I'm not wasting any more time with you.",
        "manager_request",
    ),
    _e(
        "customer",
        "Can you, um, like, get someone senior on the phone? Because you clearly can't fix this.",
        "manager_request",
    ),
    _e(
        "customer",
        "Is there a supervisor on shift today? I'd like them to call me.",
        "manager_request",
    ),
    _e(
        "customer",
        "I want this escalated, I want a manager, and I want it in writing.",
        "manager_request",
    ),
    _e(
        "customer",
        "Please transfer my call to your higher authority, I am not satisfied with your answer.",
        "manager_request",
    ),
    _e("customer", "Who's your boss? Let me speak to them.", "manager_request"),
    _e(
        "customer",
        "Honestly, just let me talk to someone who can actually make a decision.",
        "manager_request",
    ),
    _e("customer", "I'm not hanging up until I've spoken to a supervisor.", "manager_request"),
    _e(
        "customer",
        "Could I have the name of your manager, please, and I'd like a call from them today.",
        "manager_request",
    ),
    _e("customer", "Escalate it. Supervisor. Now.", "manager_request"),
    _e(
        "customer",
        "Look, love, no offence, but I'd rather sort this out with your manager.",
        "manager_request",
    ),
    _e(
        "customer",
        "I've been paying this bill since nineteen ninety-eight, never missed a month, and now "
        "you're telling me I owe four hundred quid, so no, I don't want to go through it again "
        "with you, I want whoever runs that department on the phone.",
        "manager_request",
    ),
    # hard negatives sharing words with the manager request
    _e("customer", "The manager of the store said I could bring it back within thirty days."),
    _e(
        "customer", "My supervisor at work needs a letter confirming the outage, can you email one?"
    ),
    _e("customer", "I don't need a manager, I just need someone to actually read my email."),
    _e("customer", "I'm a manager myself, so I know how hard these calls can be."),
    _e("customer", "I'd like to speak to someone about changing my tariff, please."),
    _e("customer", "Can you transfer me to the billing department? I pressed the wrong option."),
    _e("customer", "The supervisor at the depot told the driver to leave it with a neighbour."),
    _e("customer", "Is your manager called Sandra? Because she signed the letter."),
    _e("customer", "My boss is going to kill me if I'm late again because of these trains."),
    # --- negative phrasing ---------------------------------------------------------------------
    _e(
        "agent",
        "You need to take a breath and calm yourself down before we carry on.",
        "negative_phrasing",
    ),
    _e("agent", "I can't give you a refund, it's against policy.", "negative_phrasing"),
    _e(
        "agent",
        "You'll just have to wait for the engineer like everybody else on the list.",
        "negative_phrasing",
    ),
    _e(
        "agent",
        "No, that's impossible, the payment has already gone out.",
        "negative_phrasing",
    ),
    _e(
        "agent",
        "You're wrong about that, the contract clearly says twenty-four months.",
        "negative_phrasing",
    ),
    _e("agent", "It's not my job to chase the courier for you.", "negative_phrasing"),
    _e(
        "agent",
        "Sir, this is the process only, I cannot do anything beyond this.",
        "negative_phrasing",
    ),
    _e("agent", "Whether you like it or not, the fee stands.", "negative_phrasing"),
    _e(
        "agent",
        "Honestly, I've already told you twice, the answer is no.",
        "negative_phrasing",
    ),
    _e(
        "agent",
        "We simply don't offer compensation for weather delays.",
        "negative_phrasing",
    ),
    _e("agent", "Calm down, okay? It's only a phone bill.", "negative_phrasing"),
    _e(
        "agent",
        "I've looked at the notes from the last call, and I can see what was said, but without "
        "the receipt there's honestly nothing I can do, and that's the end of it.",
        "negative_phrasing",
    ),
    # hard negatives sharing words with negative phrasing
    _e("agent", "I can't see any missed payments on here, so your credit file should be fine."),
    _e("agent", "You'll have to enter the code from the text message before it lets you in."),
    _e("agent", "No worries at all, take your time finding it."),
    _e("agent", "I'm not sure I follow, could you say which bill you mean?"),
    _e("customer", "I can't believe it's taken this long, to be honest."),
    # --- blame passing -------------------------------------------------------------------------
    _e(
        "agent",
        "The team in the other building set the order up wrong, it wasn't anyone here.",
        "blame_passing",
    ),
    _e(
        "agent",
        "Honestly, it's the courier company, they've been a nightmare since they took over the "
        "contract.",
        "blame_passing",
    ),
    _e(
        "agent",
        "That was the previous agent's mistake, they put the wrong date in.",
        "blame_passing",
    ),
    _e(
        "agent",
        "Our IT department pushed an update last night and, um, basically it broke everything.",
        "blame_passing",
    ),
    _e("agent", "Your bank's the one that bounced the payment, not us.", "blame_passing"),
    _e(
        "agent",
        "The landlord should have told you the meter was in his name.",
        "blame_passing",
    ),
    _e(
        "agent",
        "Well, the installer was a third-party contractor, so it's really their workmanship "
        "that's at fault.",
        "blame_passing",
    ),
    _e(
        "agent",
        "Sir, the mistake is from the branch side only, our team has done everything correctly.",
        "blame_passing",
    ),
    _e(
        "agent",
        "The manufacturer ships them with the old software, so blame them, not me.",
        "blame_passing",
    ),
    _e(
        "agent",
        "The billing system does whatever it likes, honestly, I'm not surprised it charged you "
        "twice.",
        "blame_passing",
    ),
    _e(
        "agent",
        "Someone in the warehouse must have mislabelled it, that's where the problem lies.",
        "blame_passing",
    ),
    _e(
        "agent",
        "If the post office had delivered our letter on time you'd have known about the price "
        "change.",
        "blame_passing",
    ),
    _e(
        "agent",
        "Management decided to shorten the returns window, so take it up with them.",
        "blame_passing",
        "bouncing",
    ),
    # hard negatives sharing words with blame passing
    _e("agent", "Bear with me, the system's just a bit slow this morning."),
    _e(
        "agent",
        "The previous owner of the property had the account in their name until June.",
    ),
    _e("customer", "The engineer was lovely, it's just that the part didn't fit."),
    _e("customer", "Don't worry, pet, I'm not cross with you, it's the company I'm cross with."),
    # --- bouncing ------------------------------------------------------------------------------
    _e(
        "agent",
        "You'll want to get in touch with the insurer directly for that one.",
        "bouncing",
    ),
    _e(
        "agent",
        "That's handled by our partner company, I'll text you their helpline number.",
        "bouncing",
    ),
    _e(
        "agent",
        "Best bet is to go into the store with the receipt, they deal with exchanges there.",
        "bouncing",
    ),
    _e(
        "agent",
        "I'll put you through to the broadband team, they should be able to, um, you know, "
        "look into the line.",
        "bouncing",
    ),
    _e(
        "agent",
        "For the password reset you need to contact your IT helpdesk at work, not us.",
        "bouncing",
    ),
    _e(
        "agent",
        "Ma'am, for this you have to visit the nearest service centre with your invoice.",
        "bouncing",
    ),
    _e(
        "agent",
        "Try the council's environmental health people, they're the ones who deal with that.",
        "bouncing",
    ),
    _e(
        "agent",
        "Write to the address on the back of the letter and the disputes team will pick it up.",
        "bouncing",
    ),
    _e(
        "agent",
        "You'd have to call the Post Office about that, the parcel's with them now.",
        "bouncing",
    ),
    _e(
        "agent",
        "That'll be the lettings side, they've got a separate line, I can read you the number.",
        "bouncing",
    ),
    _e(
        "agent",
        "Ah, I'm in sales, love, you need customer service, hang on and I'll transfer you.",
        "bouncing",
    ),
    _e(
        "agent",
        "Have a word with your letting agent, they hold the deposit, not us.",
        "bouncing",
    ),
    _e(
        "agent",
        "Your pharmacy should be able to answer that, give them a ring in the morning.",
        "bouncing",
    ),
    # hard negatives sharing words with bouncing
    _e("customer", "Your website says I should call this number if the app doesn't work."),
    _e(
        "agent",
        "My colleague Deepa in billing has added a note to say the credit is approved.",
    ),
    # --- solution offer ------------------------------------------------------------------------
    _e(
        "agent",
        "How about I send you a prepaid label and you post it back at no charge?",
        "solution_offer",
    ),
    _e(
        "agent",
        "I can book a technician for Wednesday morning, would eight till twelve work?",
        "solution_offer",
    ),
    _e(
        "agent",
        "I'm able to refund the delivery charge straight away, and you should see it in three to "
        "five days.",
        "solution_offer",
    ),
    _e(
        "agent",
        "Here's what we can do, I'll freeze the interest for two months while you get back on "
        "your feet.",
        "solution_offer",
    ),
    _e(
        "agent",
        "Ma'am, I can raise a request for a reverse pickup, and the amount will be credited "
        "within seven working days.",
        "solution_offer",
    ),
    _e(
        "agent",
        "Another option would be to switch you onto the fixed tariff, which would save about "
        "eight pounds a month.",
        "solution_offer",
    ),
    _e(
        "agent",
        "I can, um, you know, take the late charge off and move the due date to after your payday.",
        "solution_offer",
    ),
    _e(
        "agent",
        "We can courier a loan device to you tonight so you're not without a phone.",
        "solution_offer",
    ),
    _e(
        "agent",
        "If you'd prefer, I can cancel without the exit fee, given everything that's happened.",
        "solution_offer",
    ),
    _e(
        "agent", "I could offer you a voucher for a free night on your next stay.", "solution_offer"
    ),
    _e(
        "agent",
        "Let's get you on the nine fifteen train instead, I'll reissue the ticket now.",
        "solution_offer",
    ),
    _e(
        "agent",
        "What we could look at is splitting the balance over six instalments.",
        "solution_offer",
    ),
    _e(
        "agent",
        "I've found a slot at the Leeds branch tomorrow, shall I book you in?",
        "solution_offer",
    ),
    _e(
        "agent",
        "Helen, I can upgrade you to the faster package for the same price until the fault is "
        "fixed.",
        "solution_offer",
        "customer_name_used",
    ),
    # hard negatives sharing words with the solution offer
    _e("agent", "I can see the payment came in on the third."),
    _e("agent", "What I can see here is that the parcel left the depot this morning."),
    _e("agent", "It's all been updated, and the change will show on your next statement."),
    # --- ownership -----------------------------------------------------------------------------
    _e(
        "agent",
        "I'm going to handle this myself from here on, you have my direct extension.",
        "ownership",
    ),
    _e(
        "agent",
        "Don't worry about calling the depot, I'll do that and get back to you by lunchtime.",
        "ownership",
    ),
    _e(
        "agent",
        "This one's mine now, I'll make sure it's fixed before I finish my shift.",
        "ownership",
    ),
    _e(
        "agent",
        "Rest assured, ma'am, I will personally follow up and revert to you by tomorrow evening.",
        "ownership",
    ),
    _e(
        "agent",
        "I'll keep your case open under my name so you won't be passed around again.",
        "ownership",
    ),
    _e("agent", "You've done enough chasing, leave the rest to me.", "ownership"),
    _e(
        "agent",
        "I'll take responsibility for getting the refund through, and I'll email you when it's "
        "done.",
        "ownership",
    ),
    _e(
        "agent",
        "Right, I'm, um, I'm gonna stay on top of this myself, you won't have to ring in again.",
        "ownership",
    ),
    _e(
        "agent",
        "I'll speak to the engineers personally and ring you back this afternoon, whatever the "
        "answer.",
        "ownership",
    ),
    _e(
        "agent",
        "Helen, I promise I'll see this through to the end.",
        "ownership",
        "customer_name_used",
    ),
    _e(
        "agent",
        "It's my job to fix this for you, and I'm not going to hand it off to anyone.",
        "ownership",
    ),
    _e(
        "agent",
        "I'm putting a reminder in my own diary to check on it Friday and call you.",
        "ownership",
    ),
    _e(
        "agent",
        "I've checked the tracking and it went out from the depot at six this morning, and, um, "
        "you know, I'll keep an eye on it myself through the day and text you as soon as it's "
        "scanned.",
        "ownership",
    ),
    # hard negatives sharing words with ownership
    _e("customer", "I'll take the afternoon off and wait in for the engineer then."),
    _e("agent", "Sir, please tell me your registered mobile number."),
    # --- paraphrasing --------------------------------------------------------------------------
    _e(
        "agent",
        "Okay, so let me make sure I've got this right, the new card arrived but the PIN never "
        "did.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "So what you're telling me is the bill went up even though your usage went down.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Right, if I'm hearing you correctly, you cancelled in March and you've still been "
        "charged every month since.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "So the gist of it is you were quoted one price on the phone and a different one on the "
        "invoice.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Let me just summarise: the engineer came, replaced the box, and the fault came back the "
        "next day.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "So, ma'am, your concern is that the amount was debited but the recharge is not "
        "reflecting, correct?",
        "paraphrasing",
    ),
    _e(
        "agent",
        "So basically, um, the flight left without you because the gate changed and nobody "
        "announced it?",
        "paraphrasing",
    ),
    _e(
        "agent",
        "In a nutshell, the parcel says delivered, but there's nothing on your doorstep.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "If I've got you right, Helen, you just want the contract ended without paying the early "
        "termination fee.",
        "paraphrasing",
        "customer_name_used",
    ),
    _e(
        "agent",
        "Okay, so, correct me if I'm wrong, the app logs you out every time you try to pay.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "What I'm understanding is the policy renewed automatically and you never got a reminder.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "So the long and short of it is the sofa arrived damaged and the replacement is damaged "
        "too.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Okay, thanks for bearing with me, and just so we're on the same page, you paid for "
        "next-day delivery on Monday and it's now Friday and still nothing.",
        "paraphrasing",
    ),
    # hard negatives sharing words with paraphrasing
    _e("agent", "So the total comes to forty-two pounds fifty, including the delivery."),
    _e(
        "agent",
        "Right, let me read that back to you: zero seven seven, double four, one two, nine "
        "eight five.",
    ),
    _e("agent", "So that's H for hotel, E, L, E, N, is that right?"),
    _e("customer", "So what you're saying is I can pay online instead? Okay, that's fine."),
    # --- boundary setting ----------------------------------------------------------------------
    _e(
        "agent",
        "I'm going to ask you to stop using that kind of language with me, please.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "I want to help you, but I can't do that while I'm being called names.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "Sir, kindly do not use abusive words, otherwise I will have to disconnect the call.",
        "boundary_setting",
    ),
    _e("agent", "If you keep swearing, I'm going to have to end this call.", "boundary_setting"),
    _e(
        "agent",
        "That comment was out of line, and I'm not going to carry on if it continues.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "I get that you're angry, but I won't accept being spoken to like that.",
        "boundary_setting",
        "empathy",
    ),
    _e(
        "agent",
        "Let's keep this respectful, please, I'm trying my best for you here.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "Helen, I need you to stop shouting, I can't help if we're, um, going back and forth "
        "like this.",
        "boundary_setting",
        "customer_name_used",
    ),
    _e("agent", "Please don't threaten me, ma'am, I'm here to help.", "boundary_setting"),
    _e(
        "agent",
        "This is your final warning about the language, the next time I'll hang up.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "I'm happy to listen to your complaint, just not to personal insults.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "Calling me an idiot isn't going to get us anywhere, so let's park that and look at the "
        "order.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "Look, I've got your order open and I'm working on it, but I'm not going to sit here and "
        "be sworn at, so let's go through it one line at a time.",
        "boundary_setting",
    ),
    # --- closing -------------------------------------------------------------------------------
    _e(
        "agent",
        "Is there anything further I can help with today? No? Then thanks ever so much for "
        "calling, take care.",
        "closing",
    ),
    _e(
        "agent",
        "Perfect, that's all set up. You have a wonderful rest of your day.",
        "closing",
    ),
    _e(
        "agent",
        "Thank you for contacting us, ma'am, is there anything else I may assist you with today?",
        "closing",
    ),
    _e(
        "agent",
        "Alrighty, you're good to go. Thanks for your patience and have a good one.",
        "closing",
    ),
    _e(
        "agent",
        "Okay, so that's the refund processed and your reference is in your inbox. Bye for now.",
        "closing",
    ),
    _e(
        "agent",
        "Helen, thanks for being so understanding today, take care of yourself, bye.",
        "closing",
        "customer_name_used",
    ),
    _e(
        "agent",
        "That should be everything then. Thanks for ringing, and enjoy the bank holiday.",
        "closing",
    ),
    _e("agent", "Lovely, I'll let you go. Cheers now, bye bye.", "closing"),
    _e(
        "agent",
        "Brilliant, well, you know where we are if you need us. Goodbye for now.",
        "closing",
    ),
    _e(
        "agent",
        "If there's nothing else, I'll wrap things up there. Thanks for choosing Harbour Mobile.",
        "closing",
    ),
    _e("agent", "Great talking to you, have a safe trip tomorrow, bye.", "closing"),
    _e(
        "agent",
        "So that's all done and dusted. Thanks a million for your time, goodbye.",
        "closing",
    ),
    _e(
        "agent",
        "Right, I've popped the confirmation in an email, the engineer's booked for the "
        "fourteenth, and if anything else crops up you've got my reference, so thanks so much "
        "for calling and have a good evening.",
        "closing",
    ),
    # hard negatives sharing words with the closing
    _e(
        "agent",
        "Is there anything else on the account, like a second line, that we should move over "
        "as well?",
    ),
    _e("agent", "Thanks for that, and can I take your date of birth?"),
    _e("agent", "Good afternoon, you're speaking with Gareth at Harbour Mobile, how can I help?"),
    _e("customer", "Thanks, bye."),
    _e("customer", "Kindly tell me the status of my complaint, I have the number here."),
    # --- abuse (customer) ----------------------------------------------------------------------
    _e("customer", "You're an absolute joke, you and your useless company.", "abuse"),
    _e("customer", "Stop talking, you complete idiot, and listen.", "abuse"),
    _e("customer", "Bloody hell, are you thick or something?", "abuse"),
    _e("customer", "You're a lying little weasel, do you know that?", "abuse"),
    _e("customer", "What a load of crap, you muppets couldn't run a bath.", "abuse"),
    _e("customer", "Go to hell, the lot of you.", "abuse"),
    _e("customer", "You are the dumbest person I have ever spoken to on a phone.", "abuse"),
    _e("customer", "Shut your mouth and get me my money, you thief.", "abuse"),
    _e("customer", "Oh, for fuck's sake, you're so bloody useless.", "abuse"),
    _e("customer", "Don't you dare talk down to me, you patronising cow.", "abuse"),
    _e(
        "customer",
        "Are you, um, like, actually brain dead? Is anybody home in there?",
        "abuse",
    ),
    _e("customer", "You people are shameless cheats, you have looted my money.", "abuse"),
    _e("customer", "Screw you, screw your policy and screw your company.", "abuse"),
    # hard negatives sharing words with abuse
    _e("customer", "This whole situation is a bloody shambles."),
    _e("customer", "Ugh, damn it, I've dropped my glasses, give me a second."),
    _e("customer", "Oh, for heaven's sake, the page has frozen again."),
    _e("customer", "I'm not angry with you, I'm angry with the situation."),
    # --- the customer's name, on its own --------------------------------------------------------
    _e("agent", "Lovely, thanks Helen, I've found the booking now.", "customer_name_used"),
    _e(
        "agent",
        "Ms Mitchell, can I just confirm the last four digits of the card?",
        "customer_name_used",
    ),
    _e("agent", "Is it okay if I call you Helen?", "customer_name_used"),
    _e(
        "agent",
        "Sorry, Mrs Mitchell, the line broke up, could you say that again?",
        "customer_name_used",
    ),
    # hard negatives sharing words with the customer's name
    _e("customer", "It's Helen Mitchell, M I T C H E L L, calling about my broadband."),
    _e("agent", "Is it fourteen Mitchell Road or forty Mitchell Road?"),
    _e("agent", "Mrs Okonjo is listed as the account holder, is she available?"),
    # --- several kinds in one turn -------------------------------------------------------------
    _e(
        "agent",
        "Ms Mitchell, I'm really sorry the engineer missed the appointment window again. Leave "
        "it with me, I'll book the first slot tomorrow and call you myself once it's confirmed.",
        "customer_name_used",
        "specific_apology",
        "ownership",
        "solution_offer",
    ),
    _e(
        "agent",
        "So the pharmacy gave you the wrong strength, and you only noticed after taking two "
        "doses? That's genuinely scary, I'm so sorry that happened.",
        "paraphrasing",
        "empathy",
        "specific_apology",
    ),
    _e(
        "agent",
        "Sorry, but you'll have to call the airline, there's nothing we can do from this side.",
        "bare_apology",
        "bouncing",
        "negative_phrasing",
    ),
    _e(
        "agent",
        "Relax, it's the bank that's holding the money, not us.",
        "negative_phrasing",
        "blame_passing",
    ),
    _e(
        "agent",
        "I'd like us to keep this polite, please. If you still want a supervisor after that, I "
        "can arrange one.",
        "boundary_setting",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Honestly, I'd be livid too. What I can do right now is refund the full fare, and I'll "
        "follow it up personally until it lands.",
        "empathy",
        "solution_offer",
        "ownership",
    ),
    _e(
        "customer",
        "You lot are clueless, I want your manager, not another trainee.",
        "abuse",
        "manager_request",
    ),
    _e(
        "agent",
        "The system put you on the wrong tariff, and you'll need to ring the switching team to "
        "move you back.",
        "blame_passing",
        "bouncing",
    ),
    _e(
        "agent",
        "Helen, I understand how draining this has been. Just so I'm clear, the second repair "
        "failed as well?",
        "customer_name_used",
        "empathy",
        "paraphrasing",
    ),
    _e(
        "agent",
        "I'm sorry you were told the wrong opening times, ma'am, and I will make sure the store "
        "page is corrected today myself.",
        "specific_apology",
        "ownership",
    ),
    _e(
        "customer",
        "Listen, you jumped-up little clerk, I want your supervisor on this line.",
        "abuse",
        "manager_request",
    ),
    _e(
        "agent",
        "We apologise for the inconvenience. Unfortunately that's the policy and I can't change "
        "it.",
        "bare_apology",
        "negative_phrasing",
    ),
    _e(
        "agent",
        "I understand you're frustrated, Mrs Mitchell, but I'm not able to take any more abuse, "
        "so I'll transfer you to my manager now.",
        "empathy",
        "customer_name_used",
        "boundary_setting",
        "supervisor_offer",
    ),
)

VOICES: tuple[str, ...] = ("en-gb-x-rp+f2", "en-us+m6")
