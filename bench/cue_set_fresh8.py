"""An eighth fresh, blind labelled set of call-centre utterances for the cue benchmark (issue 14).

What: about two hundred and fifty single utterances (agent or customer), each labelled with every
cue kind a careful human annotator would mark: at least twelve positives for each of the fifteen
kinds, with the two role kinds emphasised (about thirty each for ``manager_request`` and
``supervisor_offer``, which are reported on their own), some utterances carrying two or three
kinds, and about sixty hard negatives, most of them beside the role kinds whose words they share:
an offer of a manager reported from an earlier call or agent, a request for a manager that was
already made or declined ("no need to get anyone else"), the customer's or the agent's own boss
named in passing, figurative "over my head", a supervisor who is off today or has left, past
escalations and a senior agent's call-back that already happened, questions about the
escalation policy, "whoever you report to" in a compliment, "I'm not hanging up" and "I insist"
about something else, a customer asking for a department rather than a superior; and a few
beside the other kinds ("sorry" meaning "pardon", a letter of apology only mentioned, procedural
"so", "let me" and "what I can see", reassurances built on "no" and "don't", a courier, hospital
or team named without blame or passing the customer on, "anything else" mid-call, a customer's
goodbye, swearing at a router, a customer calling herself an idiot, a compliment built like an
insult, an agent's street story that shares the customer's surname).

How it was written: blind to the cue detectors. The author (helper H7, session 21) did not open,
grep or read models/speech/cues.toml, models/speech/cues.py, models/speech/meaning*.py,
models/speech/reported.py, bench/role_cues_s21.py, bench/meaning_role_*.py or tests of the cue,
meaning or role detectors. Read: bench/cue_set_fresh7.py (its format, docstring, kinds and its
supervisor-offer section; no sentence of it is reused), the set-loading part of
bench/bench_cues.py and tests/unit/models/test_cue_sets_blind.py (the format checks). The wording
leans on Australian, Nigerian, Indian, Welsh and Northern English turns on energy, broadband,
insurance, car hire, pharmacy, retail, mortgages and council services: short blunt requests
("No. Supervisor. Now."), requests that go round the superior ("someone above you", "whoever you
report to", "go over your head", "transfer me to escalations", "your oga"), conditions ("I'm not
hanging up until..."), and agent offers that are indirect ("above my pay grade", "the person I
report to", "have a senior agent call you back", "loop my senior in"). Labels follow the earlier
sets' conventions: manager requests and abuse are customer turns, every other kind is an agent
turn; swearing at a situation is not abuse; "sorry" meaning "pardon" is not an apology; an
apology that names what went wrong is specific, one that does not is bare; passing the customer
to another team, office or company is bouncing (a transfer to the agent's own superior is a
supervisor offer; a customer asking for the escalations team is a manager request);
``customer_name_used`` is marked on exactly the agent turns that address the customer by first
or last name (not on a street that shares her surname).

Voices: two espeak-ng voices no earlier set used (``en-gb-x-rp+m3``, Received Pronunciation with
a male variant, and ``en-029+f4``, the Caribbean voice with a female variant). Both variants
change the synthesised audio (``espeak-ng --stdout`` bytes differ from the base voices').

Why: the earlier sets have been looked at while the phrase matcher, the sentence-embedding
detector and the role detectors were developed, so they no longer measure generalisation. This
set is for ONE held-out evaluation only: never tune patterns, examples or thresholds on it, never
copy its phrases into a detector, its training data or other sets, and do not quote it in notes or
docs. Once it has been used to report a number, treat it as spent and write a new one.
"""

from __future__ import annotations

CUSTOMER_NAME = "Marisol Brennan"

Labelled = tuple[str, str, frozenset[str]]


def _e(speaker: str, text: str, *kinds: str) -> Labelled:
    return (speaker, text, frozenset(kinds))


UTTERANCES: tuple[Labelled, ...] = (
    # --- supervisor offer ----------------------------------------------------------------------
    _e(
        "agent",
        "If you'd like, I can see whether my team lead's free to jump on.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "I can have a senior agent call you back within the hour, would that help?",
        "supervisor_offer",
    ),
    _e("agent", "Let me nab my manager, she'll know how to sort this.", "supervisor_offer"),
    _e("agent", "Would it help if I brought in someone above me?", "supervisor_offer"),
    _e(
        "agent",
        "I'm happy to escalate this to my supervisor right now if you want.",
        "supervisor_offer",
    ),
    _e("agent", "Give us a sec, I'll grab the team leader for you.", "supervisor_offer"),
    _e(
        "agent",
        "Do you want me to get the person I report to? She's just across the floor.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "I can put you through to my line manager, she's got more authority on claims than I have.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Fair enough, mate, that's not right. I'll chase up my supervisor and get her on the line.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Tell you what, I'll ask the duty supervisor to ring you back before five.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "This one's above my pay grade, honestly, so let me get a manager to go through it with you.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Would you like me to loop my senior in? He handles these complaints.",
        "supervisor_offer",
    ),
    _e("agent", "Shall I see if the operations manager can take your call?", "supervisor_offer"),
    _e(
        "agent",
        "If you'd rather, I can get somebody more senior to pick this up with you.",
        "supervisor_offer",
    ),
    _e("agent", "I'll bring the centre manager in on this, just bear with me.", "supervisor_offer"),
    _e(
        "agent",
        "Kindly hold the line, I am calling my superior to speak with you.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Let me escalate it to my supervisor, she's able to override the fee.",
        "supervisor_offer",
    ),
    _e("agent", "Want me to get my boss on the blower?", "supervisor_offer"),
    _e(
        "agent",
        "I can ask a team leader to review the call and phone you back today.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Would you be more comfortable speaking to a manager? I can arrange that now.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Bear with me, I'm going to fetch my supervisor over so she can hear this too.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "I'm going to pass this up to my manager and have her call you personally.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "If that's still not good enough, I can get a supervisor on for you, no problem at all.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "One moment, let me see if a senior adviser is free to take over.",
        "supervisor_offer",
    ),
    _e("agent", "Would you like me to book a callback from my team manager?", "supervisor_offer"),
    _e(
        "agent",
        "Honestly, I think my supervisor should hear this. Shall I get her?",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "I can raise it with the person above me and they'll ring you tomorrow morning.",
        "supervisor_offer",
    ),
    # hard negatives sharing words with supervisor offers (agent turns)
    _e(
        "agent",
        "I can see in the notes that the last agent offered to get a manager on Tuesday.",
    ),
    _e("agent", "My manager signed off the refund yesterday, so it should land by Friday."),
    _e("agent", "The supervisor who dealt with this last time has left the company."),
    _e("agent", "Our managers review every complaint once a week."),
    _e("agent", "My supervisor's off today, she's back in on Monday."),
    _e("agent", "I escalated a similar case last month and it took about two weeks."),
    _e("agent", "The escalation was closed on the fourth with a payment of fifty pounds."),
    _e("agent", "Team leaders are on the floor from eight till six."),
    _e(
        "agent",
        "The store manager at the Leeds branch confirmed the parcel was handed over.",
    ),
    _e("agent", "He was promoted to supervisor in the spring, so his extension changed."),
    _e("agent", "Your account manager's name is printed at the top of the letter."),
    _e(
        "agent",
        "That clause is a bit over my head too, to be honest, the lawyers wrote it.",
    ),
    _e("agent", "You asked for a manager earlier and that's been noted on the complaint."),
    _e("agent", "Managing your payments is easiest through the app."),
    _e(
        "agent",
        "Our escalations policy says complaints get a written reply within eight weeks.",
    ),
    _e("agent", "Once the supervisor approved it, the credit went straight on."),
    _e("agent", "The engineer's manager booked the visit for Thursday."),
    _e(
        "agent",
        "A senior agent already called you back on the ninth, I can see the note here.",
    ),
    _e("agent", "My boss used to live on Brennan Road, small world."),
    _e("agent", "Is this the card you'd like to pay with?"),
    # --- manager request (customer) ------------------------------------------------------------
    _e("customer", "Put me through to someone above you.", "manager_request"),
    _e("customer", "Whoever you report to, I want them on the line.", "manager_request"),
    _e("customer", "I'm not hanging up until I speak to a manager.", "manager_request"),
    _e("customer", "I insist on speaking to your supervisor.", "manager_request"),
    _e("customer", "Can you just nab your manager for me, please?", "manager_request"),
    _e("customer", "Fine, then I'll go over your head. Who's your boss?", "manager_request"),
    _e("customer", "Transfer me to escalations, now.", "manager_request"),
    _e("customer", "Get your team lead on the phone.", "manager_request"),
    _e("customer", "I'd like this escalated to a supervisor, please.", "manager_request"),
    _e("customer", "Is there someone senior I can talk to?", "manager_request"),
    _e("customer", "Let me speak with somebody higher up than you.", "manager_request"),
    _e(
        "customer",
        "With respect, I need someone with actual authority. A manager, or whoever.",
        "manager_request",
    ),
    _e("customer", "Please, call your oga for me, I want to talk to him.", "manager_request"),
    _e("customer", "Can I speak to the manager on duty?", "manager_request"),
    _e("customer", "No. Supervisor. Now.", "manager_request"),
    _e(
        "customer",
        "I want to make a formal complaint to your manager, so put them on.",
        "manager_request",
    ),
    _e(
        "customer",
        "Have your supervisor ring me back today, I'm not dealing with you any more.",
        "manager_request",
    ),
    _e(
        "customer",
        "I'd rather speak to the person in charge of your department.",
        "manager_request",
    ),
    _e("customer", "Who's above you? Put them on.", "manager_request"),
    _e(
        "customer",
        "You can't help me, so get me someone who can. Your manager.",
        "manager_request",
    ),
    _e("customer", "I want this going higher. Get me a team leader.", "manager_request"),
    _e(
        "customer",
        "Could I please speak with a supervisor? No offence to you.",
        "manager_request",
    ),
    _e("customer", "Right, grab your manager and let's sort this out properly.", "manager_request"),
    _e(
        "customer",
        "I'll wait on hold as long as it takes, just get me your supervisor.",
        "manager_request",
    ),
    _e("customer", "Would your boss be around? I'd like a word with them.", "manager_request"),
    _e("customer", "Escalate me. I want a senior person.", "manager_request"),
    _e("customer", "Put your line manager on, love.", "manager_request"),
    # hard negatives sharing words with manager requests (customer turns)
    _e("customer", "My manager told me to call you about the company phones."),
    _e("customer", "No need to get anyone else, you've been brilliant."),
    _e("customer", "I don't want a supervisor, I just want my parcel."),
    _e(
        "customer",
        "The last bloke offered to get his manager but I didn't have time to wait.",
    ),
    _e("customer", "I spoke to a supervisor on Monday and she said it was sorted."),
    _e("customer", "Honestly, all this tariff stuff is over my head."),
    _e("customer", "I'm a manager at a care home, so I can't take calls in the day."),
    _e("customer", "Do your supervisors listen to these calls?"),
    _e("customer", "What's your policy on escalating complaints, out of interest?"),
    _e("customer", "My boss is away this week, so I'm sorting the account."),
    _e("customer", "Last time I escalated it, it took a month."),
    _e(
        "customer",
        "Whoever you report to should be proud, you sorted that in five minutes.",
    ),
    _e("customer", "I'm not hanging up, I'm just putting you on speaker."),
    _e("customer", "I insist on paying the full amount, I don't want a discount."),
    _e(
        "customer",
        "Can you transfer me to billing? It's a quick question about a meter reading.",
    ),
    _e("customer", "My team lead's going to be thrilled this is fixed."),
    _e("customer", "Don't worry about escalating it, I'm happy with that."),
    _e("customer", "My supervisor at work needs a copy of the bill for my expenses."),
    _e("customer", "The whole contract went over my head when I signed it."),
    _e("customer", "The manager at the shop was lovely, actually."),
    _e("customer", "I don't need anyone higher up, you've answered it."),
    _e("customer", "I'll speak to my boss about whether the firm will pay it."),
    _e(
        "customer",
        "He said a senior agent would call me back, and one did, so that's fine.",
    ),
    _e("customer", "Is the head office still in Cardiff?"),
    # --- empathy -------------------------------------------------------------------------------
    _e(
        "agent",
        "Oh no, losing the heating in January with a newborn, that sounds really hard.",
        "empathy",
    ),
    _e("agent", "I can hear how worn out you are with all this.", "empathy"),
    _e(
        "agent",
        "Being cut off mid-shift when you're on call, that'd rattle anyone.",
        "empathy",
    ),
    _e(
        "agent",
        "That must have been a nasty fright, seeing money go out that you didn't spend.",
        "empathy",
    ),
    _e(
        "agent",
        "I'd be gutted too if my holiday refund vanished like that.",
        "empathy",
    ),
    _e(
        "agent",
        "Five calls and still no answer, no wonder you're fed up.",
        "empathy",
    ),
    _e(
        "agent",
        "Sorting out your dad's accounts after he's passed must be so draining.",
        "empathy",
    ),
    _e("agent", "That's genuinely stressful, with rent due on Monday.", "empathy"),
    _e(
        "agent",
        "I totally get why you're annoyed, nobody likes being left on hold for an hour.",
        "empathy",
    ),
    # --- specific apology ----------------------------------------------------------------------
    _e(
        "agent",
        "I'm sorry the engineer didn't turn up on Saturday after you stayed in all day.",
        "specific_apology",
    ),
    _e(
        "agent",
        "Apologies that your prescription was sent to the wrong pharmacy.",
        "specific_apology",
    ),
    _e(
        "agent",
        "I'm really sorry we charged your card twice for the one booking.",
        "specific_apology",
    ),
    _e(
        "agent",
        "Sorry nobody called you back last week like they promised.",
        "specific_apology",
    ),
    _e(
        "agent",
        "I do apologise that the courtesy car wasn't ready when you got there.",
        "specific_apology",
    ),
    _e(
        "agent",
        "My apologies for the letter going to your old address.",
        "specific_apology",
    ),
    _e(
        "agent",
        "I'm sorry the online form kept logging you out halfway through.",
        "specific_apology",
    ),
    _e(
        "agent",
        "Sincere apologies that your direct debit was taken before the date we agreed.",
        "specific_apology",
    ),
    _e(
        "agent",
        "I'm so sorry you were given the wrong information on your first call.",
        "specific_apology",
    ),
    # hard negatives sharing words with apologies
    _e("agent", "Sorry, could you repeat the postcode?"),
    _e("agent", "Sorry, was that a B or a D?"),
    _e("agent", "The apology letter you mentioned was posted on the twelfth."),
    # --- bare apology --------------------------------------------------------------------------
    _e("agent", "I'm sorry about all this.", "bare_apology"),
    _e("agent", "Apologies for the trouble.", "bare_apology"),
    _e("agent", "So sorry for any inconvenience caused.", "bare_apology"),
    _e("agent", "I do apologise for that.", "bare_apology"),
    _e("agent", "Sorry for the hassle, I really am.", "bare_apology"),
    _e("agent", "My apologies, truly.", "bare_apology"),
    _e("agent", "I'm sorry it's come to this.", "bare_apology"),
    _e("agent", "Sorry about the bother today.", "bare_apology"),
    _e("agent", "Apologies for the mix-up.", "bare_apology"),
    # --- negative phrasing ---------------------------------------------------------------------
    _e("agent", "No, we can't refund a used ticket.", "negative_phrasing"),
    _e("agent", "That's not something I'm able to change.", "negative_phrasing"),
    _e("agent", "We don't do same-day delivery to your area.", "negative_phrasing"),
    _e("agent", "I can't waive that charge, it's impossible.", "negative_phrasing"),
    _e(
        "agent",
        "You won't get the deposit back if you cancel inside fourteen days.",
        "negative_phrasing",
    ),
    _e("agent", "There's nothing I can do about the exchange rate.", "negative_phrasing"),
    _e("agent", "Unfortunately that's not allowed under your policy.", "negative_phrasing"),
    _e("agent", "No, that isn't possible on a pay-as-you-go plan.", "negative_phrasing"),
    _e("agent", "We never take card details by email.", "negative_phrasing"),
    # hard negatives: reassurances built on "no" and "don't"
    _e("agent", "Don't worry, there's no charge for the replacement."),
    _e("agent", "No problem at all, take your time finding the reference."),
    # --- blame passing -------------------------------------------------------------------------
    _e(
        "agent",
        "That's the courier's fault, they marked it delivered when it wasn't.",
        "blame_passing",
    ),
    _e(
        "agent",
        "Billing set that up wrong, it's nothing to do with our side.",
        "blame_passing",
    ),
    _e(
        "agent",
        "The system does that, it just throws out these letters, not much I can say.",
        "blame_passing",
    ),
    _e(
        "agent",
        "The previous adviser should have told you that, it was their mistake.",
        "blame_passing",
    ),
    _e(
        "agent",
        "Head office changed the rules, so take it up with them, not me.",
        "blame_passing",
    ),
    _e(
        "agent",
        "Your bank's the one that bounced it, we sent the request fine.",
        "blame_passing",
    ),
    _e(
        "agent",
        "The warehouse sent the wrong size, that's down to them really.",
        "blame_passing",
    ),
    _e(
        "agent",
        "Whoever booked this for you got the dates wrong, not us.",
        "blame_passing",
    ),
    _e(
        "agent",
        "The IT lot broke the portal again last night, typical.",
        "blame_passing",
    ),
    # hard negatives: a party named without blame
    _e("agent", "The courier has it at the depot and it's out for delivery tomorrow."),
    _e("agent", "The hospital sent us the invoice on the second of March."),
    # --- bouncing ------------------------------------------------------------------------------
    _e(
        "agent",
        "You'll have to ring the claims line for that, it's a different number.",
        "bouncing",
    ),
    _e("agent", "That's a question for your bank, I'm afraid.", "bouncing"),
    _e(
        "agent",
        "I'll transfer you to the technical team, they'll pick it up from here.",
        "bouncing",
    ),
    _e(
        "agent",
        "You'd need to speak to the council about the bin collection, not us.",
        "bouncing",
    ),
    _e(
        "agent",
        "Pop into the branch with your ID and they'll sort it there.",
        "bouncing",
    ),
    _e(
        "agent",
        "The manufacturer handles warranty repairs, so you'd have to contact them directly.",
        "bouncing",
    ),
    _e(
        "agent",
        "Your employer's payroll office issues those forms, so you'd need to ask them.",
        "bouncing",
    ),
    _e("agent", "Send an email to the accounts team and they'll deal with it.", "bouncing"),
    _e(
        "agent",
        "Let me pass you over to the mortgages department.",
        "bouncing",
    ),
    _e(
        "agent",
        "Your network provider looks after roaming charges, give them a call.",
        "bouncing",
    ),
    # hard negatives: a team named without passing the customer on
    _e("agent", "The technical team fixed the fault on the line this morning."),
    _e("agent", "I've checked with accounts myself and the payment's cleared."),
    # --- solution offer ------------------------------------------------------------------------
    _e(
        "agent",
        "What I can do is send a replacement out today by tracked post.",
        "solution_offer",
    ),
    _e(
        "agent",
        "I can split the arrears into six monthly payments if that helps.",
        "solution_offer",
    ),
    _e(
        "agent",
        "How about I move the engineer to Wednesday morning instead?",
        "solution_offer",
    ),
    _e(
        "agent",
        "I'll pop a thirty pound credit on the account for the outage.",
        "solution_offer",
    ),
    _e(
        "agent",
        "One option is to switch you to the paperless tariff, which is cheaper.",
        "solution_offer",
    ),
    _e(
        "agent",
        "I can reissue the card and freeze the old one right now.",
        "solution_offer",
    ),
    _e(
        "agent",
        "Let me book you a free swap for the larger size.",
        "solution_offer",
    ),
    _e(
        "agent",
        "We could put a hold on the bill until the meter's been checked.",
        "solution_offer",
    ),
    _e(
        "agent",
        "I'm able to refund the delivery fee back to your card today.",
        "solution_offer",
    ),
    # hard negatives: procedural "let me", "I'll", "what I can see"
    _e("agent", "Let me just pull up your account."),
    _e("agent", "What I can see here is two payments in March."),
    # --- ownership -----------------------------------------------------------------------------
    _e(
        "agent",
        "I'll personally keep an eye on this until it's fixed.",
        "ownership",
    ),
    _e(
        "agent",
        "Leave it with me, I'll see it through to the end.",
        "ownership",
    ),
    _e(
        "agent",
        "I'm taking responsibility for this case from now on.",
        "ownership",
    ),
    _e(
        "agent",
        "I'll ring you myself on Friday to check it's gone through.",
        "ownership",
    ),
    _e(
        "agent",
        "This is on me now, you won't need to explain it again.",
        "ownership",
    ),
    _e(
        "agent",
        "I've made myself the owner of the complaint, so you'll deal with me directly.",
        "ownership",
    ),
    _e(
        "agent",
        "I'll make sure this gets sorted, you have my word.",
        "ownership",
    ),
    _e(
        "agent",
        "I'll follow up with the engineer myself and call you straight after.",
        "ownership",
    ),
    _e(
        "agent",
        "I'm going to stay on this until the refund's in your account.",
        "ownership",
    ),
    # --- paraphrasing --------------------------------------------------------------------------
    _e(
        "agent",
        "So just to check I've got this right, the box arrived but the charger was missing?",
        "paraphrasing",
    ),
    _e(
        "agent",
        "If I'm hearing you correctly, you were told the contract ended in May.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "So what you're saying is the app showed paid but the bill still says overdue.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Let me play that back: two engineer visits, neither fixed the drop-outs.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "In other words, you want the policy cancelled from the date you moved out.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Right, so the car hire took a deposit and never released it.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "So, to sum up, the reading we used was an estimate and yours is much lower.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "You're telling me the pharmacy never got the repeat request, is that right?",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Okay, so the upgrade went through but the old handset is still being billed.",
        "paraphrasing",
    ),
    # hard negatives: procedural "so"
    _e("agent", "So, can I take the first line of your address?"),
    _e("agent", "Right, so I'll need the account number first."),
    # --- boundary setting ----------------------------------------------------------------------
    _e(
        "agent",
        "I'm happy to help, but I need you to stop swearing at me.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "If the shouting carries on, I'll have to end the call.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "Please don't speak to me like that, I'm trying to help you.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "I won't accept being called names, so let's keep it civil.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "I'll give you a moment, but I can't continue if the language doesn't stop.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "That comment was personal and it's not okay, so I'm asking you to stop.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "This is your final warning, one more threat and I'm disconnecting.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "I'm going to have to ask you not to use that word again.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "I hear you're angry, but I'm not going to be insulted on this call.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "I'm not prepared to carry on while you're threatening me.",
        "boundary_setting",
    ),
    # --- closing -------------------------------------------------------------------------------
    _e("agent", "Is there anything else I can help with today?", "closing"),
    _e("agent", "Thanks for calling, have a lovely evening.", "closing"),
    _e("agent", "That's all done, take care now, bye bye.", "closing"),
    _e("agent", "Anything more I can do before I let you go?", "closing"),
    _e("agent", "You're all set, thanks for your patience, goodbye.", "closing"),
    _e(
        "agent",
        "Thank you for choosing us, enjoy the rest of your weekend.",
        "closing",
    ),
    _e("agent", "Right, that's everything on my side, cheers for calling.", "closing"),
    _e("agent", "Glad we got there in the end. Bye for now.", "closing"),
    _e("agent", "If that's everything, I'll wish you a good day.", "closing"),
    _e("agent", "Thanks so much for your time today, bye.", "closing"),
    # hard negatives: "anything else" mid-call, customer goodbye
    _e("agent", "Was there anything else on the statement that looked wrong?"),
    _e("customer", "Lovely, thanks, bye."),
    # --- abuse (customer) ----------------------------------------------------------------------
    _e("customer", "You're absolutely useless, do you know that?", "abuse"),
    _e("customer", "Are you thick or something?", "abuse"),
    _e("customer", "Shut up and listen, you muppet.", "abuse"),
    _e("customer", "What a clueless bunch of clowns you lot are.", "abuse"),
    _e("customer", "Don't give me that script rubbish, you moron.", "abuse"),
    _e("customer", "You're a joke, a total waste of space.", "abuse"),
    _e("customer", "Oh brilliant, another genius. Can you even read?", "abuse"),
    _e("customer", "You people are a bunch of crooks and liars.", "abuse"),
    _e("customer", "I'll find out where you work and sort you out myself.", "abuse"),
    # hard negatives: swearing at a situation, calling herself an idiot
    _e("customer", "This bloody router keeps dropping out every ten minutes."),
    _e("customer", "I'm such an idiot, I put the wrong postcode in."),
    _e("customer", "You lot are a bunch of legends, honestly."),
    # --- several kinds in one turn, and the customer's name ------------------------------------
    _e(
        "agent",
        "Marisol, I'm sorry the bill went up without a letter, that's on us.",
        "customer_name_used",
        "specific_apology",
    ),
    _e("agent", "Cheers, Marisol, you have a good one.", "closing", "customer_name_used"),
    _e(
        "agent",
        "Thanks, Ms Brennan, I've got everything I need.",
        "customer_name_used",
    ),
    _e(
        "agent",
        "Sorry about that, Marisol. What I can do is book a new engineer for Tuesday.",
        "bare_apology",
        "customer_name_used",
        "solution_offer",
    ),
    _e(
        "agent",
        "Ms Brennan, I can get my supervisor on the line if you'd prefer.",
        "customer_name_used",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "So, Marisol, the refund came back because the card had expired.",
        "customer_name_used",
        "paraphrasing",
    ),
    _e(
        "agent",
        "No, Ms Brennan, we can't extend the offer, the billing team ended it early.",
        "customer_name_used",
        "negative_phrasing",
        "blame_passing",
    ),
    _e(
        "agent",
        "Marisol, I know this has wrecked your week, and I'll sort it myself by tomorrow.",
        "customer_name_used",
        "empathy",
        "ownership",
    ),
    _e(
        "agent",
        "You'll need to call the landlord's agent about that one, Ms Brennan.",
        "bouncing",
        "customer_name_used",
    ),
    _e(
        "agent",
        "Ms Brennan, I'll ask you again to keep the language down, please.",
        "boundary_setting",
        "customer_name_used",
    ),
    _e(
        "agent",
        "Thanks for bearing with me, Marisol, anything else before we wrap up?",
        "closing",
        "customer_name_used",
    ),
    _e(
        "agent",
        "Sorry for the hold, Ms Brennan, I can drop the late fee from the account.",
        "bare_apology",
        "customer_name_used",
        "solution_offer",
    ),
    _e(
        "agent",
        "Marisol, I'm sorry the website double-booked your room, that must have been awful "
        "at check-in.",
        "customer_name_used",
        "empathy",
        "specific_apology",
    ),
    _e(
        "agent",
        "The wholesaler got the order wrong, not us, and I'm not able to reverse it from here.",
        "blame_passing",
        "negative_phrasing",
    ),
    _e(
        "agent",
        "The parts team sent the wrong kit, so you'll have to order through them directly.",
        "blame_passing",
        "bouncing",
    ),
    _e(
        "agent",
        "So you were charged for a month after cancelling; I'll refund that myself today.",
        "paraphrasing",
        "ownership",
        "solution_offer",
    ),
    _e(
        "agent",
        "I'm sorry the parcel got lost, and I'll personally chase it until it turns up.",
        "specific_apology",
        "ownership",
    ),
    _e(
        "agent",
        "Please stop the name-calling, or I'll end the call and you can ring back.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "All sorted, thanks for your patience and sorry again for the wait.",
        "closing",
        "bare_apology",
    ),
    _e(
        "agent",
        "That's such a rotten thing to come home to, let me get the leak team out today.",
        "empathy",
        "solution_offer",
    ),
    _e(
        "agent",
        "We don't offer refunds on sale items, but I can give you an exchange.",
        "negative_phrasing",
        "solution_offer",
    ),
    _e(
        "agent",
        "Marisol, it sounds like a nightmare, and I'm happy to get a manager to look at it.",
        "customer_name_used",
        "empathy",
        "supervisor_offer",
    ),
    _e(
        "customer",
        "You're a brainless robot. Get me your supervisor.",
        "abuse",
        "manager_request",
    ),
    _e(
        "customer",
        "Listen, you idiot, put someone in charge on the phone.",
        "abuse",
        "manager_request",
    ),
    _e(
        "customer",
        "Pathetic. Absolutely pathetic. I want your manager.",
        "abuse",
        "manager_request",
    ),
    _e(
        "agent",
        "I've noted your complaint, Marisol, and I'll call you back myself on Thursday.",
        "customer_name_used",
        "ownership",
    ),
    _e(
        "agent",
        "So, Ms Brennan, the meter was swapped but the old one's still on the account.",
        "customer_name_used",
        "paraphrasing",
    ),
)

VOICES: tuple[str, ...] = ("en-gb-x-rp+m3", "en-029+f4")
