"""A third fresh, blind labelled set of call-centre utterances for the cue matcher (issue 14).

What: about two hundred single utterances (agent or customer), each labelled with every cue kind a
careful human annotator would mark: at least eleven positives for each of the fifteen kinds, many
utterances carrying several kinds at once (an apology that also offers a fix and uses the
customer's name), plus hard negatives that share words with a cue and carry no kind: "sorry?" as
"pardon", a manager or supervisor mentioned in passing, the customer's own boss, a name that is not
the customer's (the agent's own, a colleague's, a relative's), strong but not abusive complaints,
swearing at an app or at oneself rather than at the agent, "you have to" in a plain instruction,
"anything else" in the middle of a call, reading a number back, a third party mentioned neutrally,
and routine procedural talk.

How it was written: blind to the matcher and to the earlier sets. The author (engineer H5,
session 16) did not open, grep, cat or read the git history of models/speech/cues.toml,
models/speech/cues.py, models/speech/cue_pass.py, models/speech/verify.py, bench/cue_set.py,
bench/cue_set_fresh.py, bench/cue_set_fresh2.py (only its module docstring was read), any test
whose name mentions cues, docs/benchmarks_telephone.md, docs/benchmarks.md or
docs/analysis-json.md; bench/bench_cues.py was read only where it loads a set. What each kind
means was taken from ../shared/DESIGN.md and the guidance texts in ../shared/seeds/; no example
phrase was copied from them. The wording imitates how agents and customers talk on the phone (UK,
US, Indian and Australian English; fillers, false starts, short and long turns) across energy,
water, broadband, mobile, banking, insurance, airlines, pharmacy, local council, parcel delivery,
car rental, retail, travel and TV subscriptions, and varies the phrasing of each kind on purpose so
that no stock phrase repeats.

Voices: two espeak-ng voices no earlier set used (a New York City US voice and a British voice
with a female variant); each was checked to come out intelligible through an 8 kHz channel.

Why: the earlier sets have been looked at while the matcher was developed, so they no longer
measure generalisation. This set is for ONE held-out evaluation only (the lead's, at the end of
session 16): never tune patterns or thresholds on it, never copy its phrases into the matcher or
into other sets, and do not quote it in notes or docs. Once it has been used to report a number,
treat it as spent and write a new one.
"""

from __future__ import annotations

CUSTOMER_NAME = "Rafael Moreno"

Labelled = tuple[str, str, frozenset[str]]


def _e(speaker: str, text: str, *kinds: str) -> Labelled:
    return (speaker, text, frozenset(kinds))


UTTERANCES: tuple[Labelled, ...] = (
    # --- empathy -----------------------------------------------------------------------------
    _e(
        "agent",
        "Oh gosh, three weeks with no hot water and a little one at home, that sounds "
        "absolutely exhausting.",
        "empathy",
    ),
    _e(
        "agent",
        "Yeah, no, honestly I'd be fuming too if my flight got moved and nobody told me.",
        "empathy",
    ),
    _e(
        "agent",
        "Mr Moreno, I can hear this has really worn you down, and that's completely fair.",
        "empathy",
        "customer_name_used",
    ),
    _e(
        "agent",
        "Ma'am, I can understand the worry, especially when the medicine is for your father.",
        "empathy",
    ),
    _e(
        "agent",
        "No wonder you're stressed, mate, you've been chasing this since before Christmas.",
        "empathy",
    ),
    _e(
        "agent",
        "I hear you. Having the internet drop out in the middle of work calls is, um, it's "
        "just miserable.",
        "empathy",
    ),
    _e(
        "agent",
        "Honestly, that would rattle anyone, getting a bailiff letter for a bill you'd "
        "already paid.",
        "empathy",
    ),
    _e(
        "agent",
        "Rafael, I totally get why you're annoyed, you shouldn't have had to ring us four times.",
        "empathy",
        "customer_name_used",
    ),
    _e(
        "agent",
        "I can only imagine how stressful it was, standing at the rental desk at midnight "
        "with no car.",
        "empathy",
    ),
    _e(
        "agent",
        "Oh, that's really upsetting, and I'm so sorry the repair man didn't turn up on Saturday.",
        "empathy",
        "specific_apology",
    ),
    _e(
        "agent",
        "Sir, it is very natural to feel tense, your salary credit is stuck, anybody would "
        "be worried.",
        "empathy",
    ),
    # --- specific apology ----------------------------------------------------------------------
    _e(
        "agent",
        "I'm really sorry that your prescription wasn't ready when you came in yesterday.",
        "specific_apology",
    ),
    _e(
        "agent",
        "Apologies for the double charge on your March bill, that should never have happened.",
        "specific_apology",
    ),
    _e(
        "agent",
        "I do apologise that nobody rang you back about the missed bin collection.",
        "specific_apology",
    ),
    _e(
        "agent",
        "Sorry about the mix-up with your seat, Mr Moreno, I know you'd booked the aisle.",
        "specific_apology",
        "customer_name_used",
    ),
    _e(
        "agent",
        "I'm so sorry your parcel was left out in the rain, that's not how it should be delivered.",
        "specific_apology",
    ),
    _e(
        "agent",
        "My apologies that the engineer turned up without the right part, uh, twice now.",
        "specific_apology",
    ),
    _e(
        "agent",
        "Really sorry you got hit with a late fee when the payment was actually on time.",
        "specific_apology",
    ),
    _e(
        "agent",
        "I'm sorry one of our advisors hung up on you last night, that was not okay.",
        "specific_apology",
    ),
    _e(
        "agent",
        "I apologise that your claim has sat in the queue for six weeks without a single update.",
        "specific_apology",
    ),
    # --- bare apology --------------------------------------------------------------------------
    _e("agent", "Oh, I'm sorry.", "bare_apology"),
    _e("agent", "I'm really sorry, sir.", "bare_apology"),
    _e("agent", "Sorry, sorry about that.", "bare_apology"),
    _e("agent", "I'm so sorry, Mr Moreno.", "bare_apology", "customer_name_used"),
    _e("agent", "Yeah, I'm sorry, I really am.", "bare_apology"),
    _e("agent", "I'm sorry, ma'am. I know, I know.", "bare_apology"),
    _e("agent", "Sorry about all this.", "bare_apology"),
    _e("agent", "My apologies, my apologies.", "bare_apology"),
    _e("agent", "Look, I'm sorry, okay?", "bare_apology"),
    _e("agent", "We do apologise for any inconvenience caused.", "bare_apology"),
    _e("agent", "I'm sorry, Rafael, I honestly am.", "bare_apology", "customer_name_used"),
    _e(
        "agent",
        "I'm sorry, but we can't refund a ticket once it's been used.",
        "bare_apology",
        "negative_phrasing",
    ),
    # --- supervisor offer ----------------------------------------------------------------------
    _e(
        "agent",
        "If you'd like, I can ask my team leader to give you a ring this afternoon.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Would it help to speak with a senior advisor? I can get one on the line now.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "I'm happy to escalate this to my supervisor so she can review the decision.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Let me see if the duty manager is free to pick this up with you.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "I can put you through to someone more senior if you feel that's best, Mr Moreno.",
        "supervisor_offer",
        "customer_name_used",
    ),
    _e("agent", "Shall I get my manager to call you back before five?", "supervisor_offer"),
    _e(
        "agent",
        "I'll bring in my floor supervisor, she has the authority to waive that charge.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Do you want me to raise it with the escalations manager? She can look at it with "
        "fresh eyes.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "I could transfer you to my line manager, he's sat right next to me, if that would help.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "I'm going to ask a senior colleague to join the call, just hold one moment.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Of course, I'll fetch my supervisor for you now, one moment please.",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Sir, I can connect you to our senior executive, she has more authority on refunds.",
        "supervisor_offer",
    ),
    # --- manager request (customer) ------------------------------------------------------------
    _e("customer", "Put your supervisor on. Now.", "manager_request"),
    _e(
        "customer",
        "I want someone higher up, I'm not doing this with you again.",
        "manager_request",
    ),
    _e(
        "customer",
        "Is there a manager there? Anyone? Because this is going nowhere.",
        "manager_request",
    ),
    _e(
        "customer",
        "Get me your boss, please, I've had enough of going round in circles.",
        "manager_request",
    ),
    _e("customer", "I'd like this escalated to a supervisor, thank you.", "manager_request"),
    _e("customer", "Can you transfer me to a team leader or someone senior?", "manager_request"),
    _e("customer", "I'm asking, for the third time, to speak with a manager.", "manager_request"),
    _e(
        "customer",
        "Kindly connect me to your senior, I will explain the matter to him only.",
        "manager_request",
    ),
    _e("customer", "Mate, just put me through to your supervisor, yeah?", "manager_request"),
    _e("customer", "Is there anybody above you I can talk to?", "manager_request"),
    _e("customer", "Put your fucking manager on the phone.", "manager_request", "abuse"),
    # --- negative phrasing ---------------------------------------------------------------------
    _e(
        "agent",
        "Sir, you need to calm down or we're not going to get anywhere.",
        "negative_phrasing",
    ),
    _e(
        "agent",
        "There's nothing I can do about that, it's already been processed.",
        "negative_phrasing",
    ),
    _e("agent", "You'll have to wait like everyone else.", "negative_phrasing"),
    _e(
        "agent",
        "That's not really my problem, I'm just telling you what the screen says.",
        "negative_phrasing",
    ),
    _e("agent", "You should have read the terms before you signed.", "negative_phrasing"),
    _e("agent", "I can't change it, it's policy.", "negative_phrasing"),
    _e("agent", "Look, that's not how it works.", "negative_phrasing"),
    _e(
        "agent",
        "Relax, okay? Shouting isn't going to make the refund go any faster.",
        "negative_phrasing",
    ),
    _e(
        "agent",
        "Unfortunately that's impossible, the booking is non-refundable.",
        "negative_phrasing",
    ),
    _e(
        "agent",
        "You didn't give us the right meter reading, so the bill is correct.",
        "negative_phrasing",
    ),
    _e(
        "agent",
        "I'm not able to help you with that, and I'm not going to argue about it.",
        "negative_phrasing",
    ),
    # --- blame passing -------------------------------------------------------------------------
    _e(
        "agent",
        "That's down to the courier, they scanned it at the wrong address.",
        "blame_passing",
    ),
    _e(
        "agent", "Our billing team messed it up, not me, I only answer the phones.", "blame_passing"
    ),
    _e(
        "agent",
        "Honestly the system's been playing up all week, it sends those letters out on its own.",
        "blame_passing",
    ),
    _e(
        "agent",
        "The store should never have sold you that plan, that one's on them.",
        "blame_passing",
    ),
    _e(
        "agent",
        "The engineers are contractors and they never update the job notes, so that's why "
        "nobody knew.",
        "blame_passing",
    ),
    _e("agent", "It's the airline's fault, ma'am, we're just the booking agent.", "blame_passing"),
    _e("agent", "Whoever you spoke to last time gave you the wrong information.", "blame_passing"),
    _e(
        "agent",
        "The hospital pharmacy sent the wrong dosage through, we just filled what we got.",
        "blame_passing",
    ),
    _e(
        "agent",
        "That's a glitch in the new app, and IT have been hopeless at fixing it.",
        "blame_passing",
    ),
    _e("agent", "Head office changed the tariff without telling us either.", "blame_passing"),
    _e(
        "agent",
        "I'm sorry about the estimated bill, but that's the meter reading company's mistake.",
        "specific_apology",
        "blame_passing",
    ),
    # --- bouncing ------------------------------------------------------------------------------
    _e(
        "agent",
        "You'll need to ring the fraud line for that, it's on the back of your card.",
        "bouncing",
    ),
    _e(
        "agent",
        "That's a council tax question, you'd need to contact the revenues team direct.",
        "bouncing",
    ),
    _e("agent", "You'd be better off going back to the shop where you bought it.", "bouncing"),
    _e("agent", "I can give you the number for the claims team, they'll deal with it.", "bouncing"),
    _e(
        "agent",
        "For the refund you'll want to email customer relations, the address is on our website.",
        "bouncing",
    ),
    _e(
        "agent",
        "Flight changes go through the airline, not us, so you'd need to phone them.",
        "bouncing",
    ),
    _e("agent", "Pop into any branch with your ID and they'll sort it out there.", "bouncing"),
    _e(
        "agent",
        "That's a question for your GP surgery really, they issue the prescription.",
        "bouncing",
    ),
    _e(
        "agent",
        "The delivery depot has its own number, give them a call and quote the tracking reference.",
        "bouncing",
    ),
    _e(
        "agent",
        "Roadside assistance is a separate company, you'd need to call them on the number "
        "in your pack.",
        "bouncing",
    ),
    _e(
        "agent",
        "I'll transfer you to accounts, and if they can't help they'll pass you on to collections.",
        "bouncing",
    ),
    # --- solution offer ------------------------------------------------------------------------
    _e(
        "agent",
        "What I can do is credit the two days you were without service to this month's bill.",
        "solution_offer",
    ),
    _e(
        "agent",
        "Would it help if I moved your payment date to the twentieth, after you get paid?",
        "solution_offer",
    ),
    _e(
        "agent",
        "I can rebook you on the six forty flight tomorrow morning at no extra cost.",
        "solution_offer",
    ),
    _e(
        "agent",
        "Let me waive the late fee and set up a payment plan over three months.",
        "solution_offer",
    ),
    _e(
        "agent",
        "There's a pharmacy on the high street that has it in stock, I can move the "
        "prescription over there for you now.",
        "solution_offer",
    ),
    _e(
        "agent",
        "We could upgrade you to the SUV for the same price, since the compact isn't back yet.",
        "solution_offer",
    ),
    _e(
        "agent",
        "One option is to pause the contract for a month while you're abroad, another is "
        "to drop to the cheaper plan.",
        "solution_offer",
    ),
    _e(
        "agent",
        "No worries, I'll chuck a credit on the account to cover the outage.",
        "solution_offer",
    ),
    _e(
        "agent",
        "I've got a goodwill gesture I can apply, fifty pounds off your next bill.",
        "solution_offer",
    ),
    # --- ownership -----------------------------------------------------------------------------
    _e(
        "agent",
        "Leave this with me, I'll chase the warehouse myself and ring you back by four.",
        "ownership",
    ),
    _e(
        "agent",
        "I'm going to own this one, you won't have to explain it to anybody else.",
        "ownership",
    ),
    _e("agent", "I'll personally keep an eye on the claim until it's paid.", "ownership"),
    _e(
        "agent",
        "This is my responsibility now, Mr Moreno, and I'll see it through.",
        "ownership",
        "customer_name_used",
    ),
    _e(
        "agent",
        "You won't need to call back, I'll be the one who follows up with you.",
        "ownership",
    ),
    _e(
        "agent",
        "Let me take this off your hands, I'll deal with the letting agent on your behalf.",
        "ownership",
    ),
    _e(
        "agent",
        "Sir, please don't worry, I will be looking into this matter myself and will "
        "revert to you by evening.",
        "ownership",
    ),
    _e("agent", "Whatever went wrong before, getting this fixed is on me now.", "ownership"),
    _e(
        "agent",
        "I'm not passing you on to anyone, I'll sort it out from start to finish.",
        "ownership",
    ),
    _e(
        "agent",
        "I'll ring the depot myself rather than make you do it, and then call you back.",
        "ownership",
    ),
    # --- paraphrasing --------------------------------------------------------------------------
    _e(
        "agent",
        "So if I'm following you, the meter was swapped in June and you've been billed on "
        "the old one ever since?",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Okay, so what's happened is the payment left your account but the booking still "
        "shows as unpaid.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Just so I've got it straight, you returned the jacket in store and the refund "
        "never came through.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "What I'm hearing is you were promised a call back three times and nobody rang.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "So in other words, the car you got was dirty and had a warning light on from the start.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "If I've understood, the bin was emptied but the crew left it in the middle of the road.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "So to recap, the router lights are all green, but nothing connects after about "
        "ten at night.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "You're saying the card works online but gets declined at the till, is that right?",
        "paraphrasing",
    ),
    _e(
        "agent",
        "Let me just play that back. Your flight was cancelled, you were rebooked for "
        "Sunday, and you need to be there Saturday.",
        "paraphrasing",
    ),
    _e(
        "agent",
        "So basically, Rafael, you were switched to a new supplier without ever agreeing to it.",
        "paraphrasing",
        "customer_name_used",
    ),
    _e(
        "agent",
        "Sounds like the issue is the renewal price jumped by forty percent and nobody warned you.",
        "paraphrasing",
    ),
    # --- boundary setting ----------------------------------------------------------------------
    _e(
        "agent",
        "I really do want to sort this out, but I need you to stop swearing at me.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "Sir, I won't be spoken to like that. I'm happy to keep helping if we keep it civil.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "If the name-calling carries on, I'll end the call, and you're welcome to ring back later.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "I'm listening, but please don't call me stupid. Let's just focus on the bill.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "I can hear you're angry, and that's fine, but the language needs to stop.",
        "boundary_setting",
        "empathy",
    ),
    _e(
        "agent",
        "Mr Moreno, I'd ask you not to shout at me, I'm doing my best to help you here.",
        "boundary_setting",
        "customer_name_used",
    ),
    _e(
        "agent",
        "That's a personal remark and I'm not going to accept it. Shall we get back to your claim?",
        "boundary_setting",
    ),
    _e(
        "agent",
        "I'll give you one more warning about the abuse, and then I'll have to disconnect.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "Threats aren't okay, ma'am. I'll stay on the line, but only if they stop.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "Let's take the heat down a bit. I'm on your side, but I won't be sworn at.",
        "boundary_setting",
    ),
    _e(
        "agent",
        "I know you're upset, but insulting me won't get this fixed any faster, so let's "
        "leave that there.",
        "boundary_setting",
        "empathy",
    ),
    _e(
        "agent",
        "Mate, I'm happy to help, just not if you're going to talk to me like that.",
        "boundary_setting",
    ),
    # --- closing -------------------------------------------------------------------------------
    _e(
        "agent",
        "Anything else I can do for you while I've got you? No? Lovely, take care then.",
        "closing",
    ),
    _e(
        "agent", "Right, that's all done. Thanks for calling, and have a lovely evening.", "closing"
    ),
    _e(
        "agent",
        "Thank you for your patience today, Mr Moreno, you take care now. Bye bye.",
        "closing",
        "customer_name_used",
    ),
    _e(
        "agent",
        "Okay, you're all set. You'll get a confirmation text shortly. Thanks for calling "
        "Northway Energy, goodbye.",
        "closing",
    ),
    _e(
        "agent", "Great, well, if nothing else comes up, enjoy the rest of your weekend.", "closing"
    ),
    _e("agent", "Thanks so much for bearing with me. Have a great day, ma'am.", "closing"),
    _e("agent", "Cheers for your time, mate, all the best with the move.", "closing"),
    _e(
        "agent",
        "That's everything sorted on my end. Thank you for banking with us, and goodbye.",
        "closing",
    ),
    _e(
        "agent",
        "Wonderful. The reference is on its way by email. Thank you, and have a good afternoon.",
        "closing",
    ),
    _e("agent", "Thank you for calling, sir, have a nice day ahead.", "closing"),
    _e(
        "agent",
        "Alright, I'll let you get on. Thanks for sticking with me through all that, bye now.",
        "closing",
    ),
    _e(
        "agent",
        "Rafael, thanks for staying on the line with me, I hope the rest of your day is "
        "easier. Goodbye.",
        "closing",
        "customer_name_used",
    ),
    # --- abuse (customer) ----------------------------------------------------------------------
    _e("customer", "You're a useless, brainless idiot, do you know that?", "abuse"),
    _e("customer", "Oh, piss off, you haven't got a clue.", "abuse"),
    _e("customer", "What kind of moron answers the phone like that? You're all clowns.", "abuse"),
    _e("customer", "Shut up and listen, you stupid woman.", "abuse"),
    _e("customer", "You lot are a bunch of fucking thieves.", "abuse"),
    _e("customer", "Are you deaf or just thick?", "abuse"),
    _e("customer", "I swear to God, you people are a shower of incompetent bastards.", "abuse"),
    _e(
        "customer",
        "Honestly mate, you're about as much use as a chocolate teapot. Pathetic.",
        "abuse",
    ),
    _e("customer", "What the hell is wrong with you? Are you completely stupid?", "abuse"),
    _e("customer", "Listen to me, you arrogant prick, I want my money back.", "abuse"),
    _e("customer", "You're a waste of space. I want your supervisor.", "abuse", "manager_request"),
    # --- customer's name, on its own -----------------------------------------------------------
    _e("agent", "Thanks, Mr Moreno, I've got your account up now.", "customer_name_used"),
    _e("agent", "Okay Rafael, bear with me while the page loads.", "customer_name_used"),
    _e("agent", "Mr Moreno, are you still there?", "customer_name_used"),
    # --- several kinds in one turn -------------------------------------------------------------
    _e(
        "agent",
        "Mr Moreno, I'm really sorry the refund went to your old card. Leave it with me, "
        "I'll get it reissued today and ring you tomorrow to confirm.",
        "specific_apology",
        "ownership",
        "solution_offer",
        "customer_name_used",
    ),
    _e(
        "agent",
        "Right, so you've had no landline since Tuesday. That's awful with your mum being "
        "poorly. I can get an engineer out on Thursday.",
        "paraphrasing",
        "empathy",
        "solution_offer",
    ),
    _e(
        "agent",
        "I'm sorry, but you'll need to speak to the airline about the baggage, we can't do "
        "anything from here.",
        "bare_apology",
        "bouncing",
        "negative_phrasing",
    ),
    _e(
        "agent",
        "Calm down, sir, it's the warehouse's mistake, not mine.",
        "negative_phrasing",
        "blame_passing",
    ),
    _e(
        "agent",
        "I'd rather not be called names, sir. If you'd still like a manager, I can arrange that.",
        "boundary_setting",
        "supervisor_offer",
    ),
    _e(
        "agent",
        "Okay, so the fee came out twice. I do apologise for the duplicate payment, and "
        "I'll put the second one back now.",
        "paraphrasing",
        "specific_apology",
        "solution_offer",
    ),
    _e(
        "agent",
        "Rafael, I'd be just as frustrated in your place. What I'll do is book the "
        "replacement myself and text you the slot.",
        "empathy",
        "customer_name_used",
        "ownership",
        "solution_offer",
    ),
    _e(
        "agent",
        "Sorry, that's the bank's side, not ours, you'll need to take it up with them.",
        "bare_apology",
        "blame_passing",
        "bouncing",
    ),
    _e(
        "customer",
        "You absolute muppet. Get me someone who actually knows what they're doing.",
        "abuse",
        "manager_request",
    ),
    _e(
        "agent",
        "Ma'am, I'm sorry the van missed your slot. Kindly allow me, I will arrange a "
        "redelivery for tomorrow morning itself.",
        "specific_apology",
        "solution_offer",
    ),
    _e(
        "agent",
        "Tell you what, Mr Moreno, I'll sort the rebooking personally and waive the change fee.",
        "customer_name_used",
        "ownership",
        "solution_offer",
    ),
    # --- hard negatives: customer --------------------------------------------------------------
    _e("customer", "Sorry? You cut out there, what was the last bit?"),
    _e(
        "customer", "My manager at work keeps moaning that I'm on the phone to you lot all morning."
    ),
    _e("customer", "This is a complete joke. Third time this month the service has dropped."),
    _e("customer", "I'm honestly furious, I've wasted a whole day off on this."),
    _e("customer", "The site manager at the flats told me the meter cupboard is locked."),
    _e("customer", "My daughter, Aleksandra, set up the direct debit for me."),
    _e("customer", "I spoke to a lad called Ravi yesterday and he said it would be sorted."),
    _e("customer", "You have to be kidding me. Forty quid for a replacement card?"),
    _e("customer", "It's not your fault, I know you're just doing your job."),
    _e("customer", "The courier left a card saying they'd try again tomorrow."),
    _e("customer", "I've already called the bank, and they told me to call you."),
    _e("customer", "Yeah, the account's in my wife's name, actually."),
    _e("customer", "Okay, cheers, bye."),
    _e("customer", "Damn, I've left the letter upstairs, hang on."),
    _e("customer", "This bloody app keeps crashing on me every time I log in."),
    _e("customer", "I don't want to speak to anyone else, I just want it fixed."),
    _e(
        "customer",
        "The manager at the hotel was lovely, it's your booking site that's the problem.",
    ),
    _e("customer", "Sorry, I've got the kids screaming in the background."),
    _e("customer", "My supervisor said I could take the afternoon off to wait for the engineer."),
    _e("customer", "What was your name again, sorry?"),
    _e("customer", "I am paying this bill for eleven years, never once I was late."),
    _e("customer", "Honestly, I'm sick to death of chasing this, it's ridiculous."),
    # --- hard negatives: agent -----------------------------------------------------------------
    _e("agent", "Sorry, could you spell the street name for me?"),
    _e("agent", "Sorry, was that a B or a D?"),
    _e("agent", "I can't hear you very well, are you on speakerphone?"),
    _e(
        "agent",
        "Our branch manager signed off the new opening hours last week, so we're open till "
        "six now.",
    ),
    _e("agent", "Can I take the first line of your address and the postcode?"),
    _e("agent", "I'm just putting a note on the account, bear with me."),
    _e("agent", "The courier will send a text on the morning with a one-hour slot."),
    _e("agent", "I understand the form is two pages, but only the first one needs signing."),
    _e("agent", "Is there anything else on the order you'd like to change before I submit it?"),
    _e("agent", "So that's four four seven one, nine zero two, correct?"),
    _e("agent", "Your payment went through fine on the system at nine fourteen."),
    _e("agent", "For security, can you confirm your date of birth?"),
    _e("agent", "My colleague Grace left a note saying she posted the forms on Monday."),
    _e("agent", "Hi, you're through to Priya at Lakeside Water, how can I help?"),
    _e("agent", "The claims team have already approved it, so the money is released on Friday."),
    _e("agent", "To log in you have to use the eight-digit number, not the card number."),
    _e(
        "agent",
        "Supervisor approval is only needed for refunds over five hundred, and yours is "
        "under that.",
    ),
    _e("agent", "Sorry, just to check, is it flat two or flat twelve?"),
    _e("agent", "Your previous supplier will send a final bill, that's normal when you switch."),
    _e("agent", "That's correct, the policy renews on the first of the month."),
    _e("agent", "No problem at all."),
    _e("agent", "Mrs Dubois from the lettings agency is listed as the second contact."),
    _e("agent", "I'm afraid the line's quite crackly, are you still there?"),
)

VOICES: tuple[str, ...] = ("en-us-nyc+m7", "en-gb+f5")
