"""A second fresh, blind labelled set of call-centre utterances for the cue matcher.

What: about one hundred and ninety single utterances (agent or customer), each labelled with
every cue kind a careful human annotator would mark: ten or more positives for each of the
fifteen kinds, plus hard negatives that share words with a cue ("sorry" as "pardon", a manager
mentioned in passing, "I can't hear you", a name that is not the customer's, strong but not
abusive complaints, routine procedural talk) and carry no kind, or only the kinds that truly apply.

How it was written: blind to the matcher. The author did not open, grep or read the git history
of models/speech/cues.toml, models/speech/cues.py, models/speech/cue_pass.py, bench/cue_set.py,
bench/cue_set_fresh.py, bench/bench_cues.py, bench/bench_cue_pass.py, any test mentioning cues,
docs/benchmarks_telephone.md, docs/benchmarks.md or docs/analysis-json.md. Only the guidance
texts in ../shared/seeds/ were read, for what the kinds mean; no example phrase was copied from
them. The wording imitates how agents and customers actually talk on the phone (UK and US English,
fillers, false starts, short and long sentences) across banking, telecoms, utilities, retail,
insurance, travel and healthcare appointments.

Why: the earlier sets have been looked at while the matcher was developed, so they no longer
measure generalisation. This set is for ONE held-out evaluation only: never tune patterns or
thresholds on it, and never copy its phrases into the matcher or into other sets. Once it has
been used to report a number, treat it as spent and write a new one.
"""

from __future__ import annotations

CUSTOMER_NAME = "Aroha Ngata"

Labelled = tuple[str, str, frozenset[str]]


def _e(speaker: str, text: str, *kinds: str) -> Labelled:
    return (speaker, text, frozenset(kinds))


UTTERANCES: tuple[Labelled, ...] = (
    # empathy
    _e("agent", "Oh gosh, that sounds really stressful, especially with the little one at home and no heating.", "empathy"),
    _e("agent", "I can hear how fed up you are, and honestly I'd feel exactly the same in your shoes.", "empathy"),
    _e("agent", "Right, yeah, that's a horrible position to be left in the night before you fly.", "empathy"),
    _e("agent", "I completely get why you're frustrated, you've been chasing this for three weeks now.", "empathy"),
    _e("agent", "That must have been really worrying, seeing money go out of your account that you didn't recognise.", "empathy"),
    _e("agent", "Mm, I understand, it's not what you want to be dealing with when you're already unwell.", "empathy"),
    _e("agent", "No, that's fair enough, anyone would be annoyed after being cut off twice.", "empathy"),
    _e("agent", "I can imagine how upsetting that was, turning up for the appointment and being told it had been cancelled.", "empathy"),
    _e("agent", "Honestly, it sounds like you've had a really rough week with all of this.", "empathy"),
    _e("agent", "I hear you, being without broadband when you work from home is a real worry.", "empathy"),
    # specific_apology
    _e("agent", "I'm really sorry the engineer didn't turn up on Thursday after you'd taken the day off work.", "specific_apology"),
    _e("agent", "I do apologise that you were charged twice for the same order, that shouldn't have happened.", "specific_apology"),
    _e("agent", "Sorry, sir, we should have told you the flight time had changed, and we didn't.", "specific_apology"),
    _e("agent", "I'm so sorry your prescription reminder went to your old address.", "specific_apology"),
    _e("agent", "Apologies for the wrong meter reading on your last bill, that one's on us.", "specific_apology"),
    _e("agent", "I'm sorry you were kept on hold for forty minutes earlier, that's far too long.", "specific_apology"),
    _e("agent", "I want to apologise for that letter, it should never have said your account was in arrears.", "specific_apology"),
    _e("agent", "Really sorry the parcel was left out in the rain, that's not how it should've been delivered.", "specific_apology"),
    _e("agent", "Sorry the router we sent you was faulty, I can get a new one out to you by tomorrow.", "specific_apology", "solution_offer"),
    _e("agent", "My apologies that your claim form went out with the wrong policy number on it.", "specific_apology"),
    # bare_apology
    _e("agent", "Sorry for the inconvenience.", "bare_apology"),
    _e("agent", "I do apologise for any inconvenience caused.", "bare_apology"),
    _e("agent", "Sorry about that.", "bare_apology"),
    _e("agent", "Yeah, sorry, sorry about all that.", "bare_apology"),
    _e("agent", "Apologies for any trouble this may have caused you.", "bare_apology"),
    _e("agent", "I'm sorry, I really am.", "bare_apology"),
    _e("agent", "We apologise for the inconvenience, madam.", "bare_apology"),
    _e("agent", "Oh, I'm so sorry about that, sir.", "bare_apology"),
    _e("agent", "Sorry for any confusion there.", "bare_apology"),
    _e("agent", "Right, well, I apologise for that.", "bare_apology"),
    # customer_name_used
    _e("agent", "Okay Aroha, bear with me one second while I pull that up.", "customer_name_used"),
    _e("agent", "Thanks for holding, Ms Ngata.", "customer_name_used"),
    _e("agent", "Right, Aroha, I've got your account in front of me now.", "customer_name_used"),
    _e("agent", "Is that still the best number to reach you on, Ms Ngata?", "customer_name_used"),
    _e("agent", "Aroha, can I just check the first line of your address?", "customer_name_used"),
    _e("agent", "I completely understand, Aroha, that's a lot to deal with on top of the move.", "customer_name_used", "empathy"),
    _e("agent", "Good morning Ms Ngata, you're through to the appointments team.", "customer_name_used"),
    _e("agent", "So, Aroha, what I'm going to do now is read the details back to you.", "customer_name_used"),
    _e("agent", "Ms Ngata, are you still there?", "customer_name_used"),
    _e("agent", "Brilliant, that's all updated for you, Aroha.", "customer_name_used"),
    # negative_phrasing
    _e("agent", "I can't do that, I'm afraid.", "negative_phrasing"),
    _e("agent", "No, that's not possible on this type of account.", "negative_phrasing"),
    _e("agent", "There's nothing I can do about the charge now it's gone through.", "negative_phrasing"),
    _e("agent", "We don't do refunds on sale items, full stop.", "negative_phrasing"),
    _e("agent", "I'm not able to change the booking once it's inside seventy-two hours.", "negative_phrasing"),
    _e("agent", "That's not something I can help with, you'll need to ring your gas supplier.", "negative_phrasing", "bouncing"),
    _e("agent", "Unfortunately we can't waive the late payment fee.", "negative_phrasing"),
    _e("agent", "No, I won't be able to move the appointment to this week.", "negative_phrasing"),
    _e("agent", "I can't change it, the system just won't let me.", "negative_phrasing", "blame_passing"),
    _e("agent", "There's no way to get an engineer out before Monday.", "negative_phrasing"),
    # blame_passing
    _e("agent", "That's the warehouse's fault, they keep sending out the wrong sizes.", "blame_passing"),
    _e("agent", "To be honest, the billing team messed this up, not us.", "blame_passing"),
    _e("agent", "It's the courier, they're hopeless round your area.", "blame_passing"),
    _e("agent", "Well, you should have read the terms before you signed up.", "blame_passing"),
    _e("agent", "The system's been playing up all week, it keeps putting the wrong dates on bookings.", "blame_passing"),
    _e("agent", "Whoever you spoke to last time obviously didn't put the note on.", "blame_passing"),
    _e("agent", "That's down to the airline, we just pass on whatever they tell us.", "blame_passing"),
    _e("agent", "Our supplier put the prices up without telling anyone.", "blame_passing"),
    _e("agent", "If you'd rung us before the due date this wouldn't have happened.", "blame_passing"),
    _e("agent", "The surgery's own receptionists made that mistake, it's nothing to do with the booking line.", "blame_passing"),
    # bouncing
    _e("agent", "You'll need to ring the claims line for that, I can give you the number.", "bouncing"),
    _e("agent", "That's not us, that's a separate department altogether.", "bouncing"),
    _e("agent", "Yeah, you'd have to go back to the shop you bought it from.", "bouncing"),
    _e("agent", "I'll pop you through to technical, they'll sort you out.", "bouncing"),
    _e("agent", "You want the mortgages team, not me, they open at nine.", "bouncing"),
    _e("agent", "Best thing is to email the complaints address and they'll get back to you.", "bouncing"),
    _e("agent", "Can you call back on Monday and ask for the retentions team?", "bouncing"),
    _e("agent", "You'll have to speak to your GP practice directly about that one.", "bouncing"),
    _e("agent", "Have you tried contacting the manufacturer? They handle all the warranty stuff.", "bouncing"),
    _e("agent", "Our department doesn't deal with roaming charges, you need international.", "bouncing"),
    # solution_offer
    _e("agent", "What I can do is send a replacement out today on next day delivery.", "solution_offer"),
    _e("agent", "So there's two options: I can refund you now, or I can swap it for the larger size.", "solution_offer"),
    _e("agent", "I can put a credit of twenty pounds on the account to cover the days you were without service.", "solution_offer"),
    _e("agent", "If it helps, I can move your appointment to Friday morning at nine thirty.", "solution_offer"),
    _e("agent", "Let me book an engineer visit for tomorrow, between eight and one.", "solution_offer"),
    _e("agent", "We could switch you onto the monthly plan, which would bring it down to about thirty dollars.", "solution_offer"),
    _e("agent", "I can rebook you on the later flight at no extra cost.", "solution_offer"),
    _e("agent", "The quickest fix is for me to reset the router from this end, it takes about two minutes.", "solution_offer"),
    _e("agent", "I can set up a payment plan so you're spreading it over six months instead.", "solution_offer"),
    _e("agent", "How about I arrange a courier to collect it from your door, so you don't have to go to the post office?", "solution_offer"),
    # ownership
    _e("agent", "I'm going to take this on myself and make sure it gets sorted.", "ownership"),
    _e("agent", "Leave it with me, I'll chase it personally and ring you back before five.", "ownership"),
    _e("agent", "Let's work through this together and get it fixed today.", "ownership"),
    _e("agent", "I'll be your point of contact from now on, so you won't have to explain it all again.", "ownership"),
    _e("agent", "This one's on me now, I'm not closing the case till you're happy.", "ownership"),
    _e("agent", "I'll keep an eye on the refund myself and call you once it's landed.", "ownership"),
    _e("agent", "Right, I'm owning this, you won't be passed around any more.", "ownership"),
    _e("agent", "I'll make sure the complaint's logged properly, and I'll follow it up myself on Wednesday.", "ownership"),
    _e("agent", "You have my word, I'll see this through.", "ownership"),
    _e("agent", "I'm going to stay on the line with you until we've got it working.", "ownership"),
    # paraphrasing
    _e("agent", "So if I've understood you right, the bill went up even though you didn't change anything?", "paraphrasing"),
    _e("agent", "Just so I'm clear, you were promised a call back on Monday and nobody rang?", "paraphrasing"),
    _e("agent", "What I'm hearing is the card was declined abroad even though you'd told us you were travelling.", "paraphrasing"),
    _e("agent", "Okay, so basically the delivery came but two of the items were missing, is that right?", "paraphrasing"),
    _e("agent", "Let me make sure I've got this, you paid the deposit but the booking doesn't show in your app?", "paraphrasing"),
    _e("agent", "So the main problem is you can't get an appointment before the fourteenth, and you need one sooner.", "paraphrasing"),
    _e("agent", "If I'm following you, the engineer came, said it was fixed, and it dropped out again that evening.", "paraphrasing"),
    _e("agent", "So in other words you want the policy cancelled from the day you sold the car, not from today.", "paraphrasing"),
    _e("agent", "Right, so to recap, the boiler cover renewed, but you'd asked us not to auto renew it.", "paraphrasing"),
    _e("agent", "You're saying the price online was lower than what you paid in store, yeah?", "paraphrasing"),
    # boundary_setting
    _e("agent", "I do want to help you, but I'm going to ask you not to swear at me, please.", "boundary_setting"),
    _e("agent", "I understand you're angry, but I need us to keep this respectful.", "boundary_setting", "empathy"),
    _e("agent", "Please don't speak to me like that, I'm trying to sort this out for you.", "boundary_setting"),
    _e("agent", "If the language carries on I'll have to end the call, so can we keep it civil?", "boundary_setting"),
    _e("agent", "I'm happy to keep going, sir, as long as we can talk to each other calmly.", "boundary_setting"),
    _e("agent", "Can I ask you not to call me names, please? It won't help us get this fixed.", "boundary_setting"),
    _e("agent", "Let's keep it polite, please, I'm on your side here.", "boundary_setting"),
    _e("agent", "I won't be able to carry on if you keep shouting at me, so let's both take a breath.", "boundary_setting"),
    _e("agent", "I'd appreciate it if we could leave the personal comments out of this.", "boundary_setting"),
    _e("agent", "Madam, I'm asking you nicely to stop using that language with me.", "boundary_setting"),
    # supervisor_offer
    _e("agent", "Would you like me to get my team leader on the line?", "supervisor_offer"),
    _e("agent", "I can ask a supervisor to give you a call back this afternoon, if you'd prefer.", "supervisor_offer"),
    _e("agent", "If you'd rather, I can transfer you to my manager now.", "supervisor_offer"),
    _e("agent", "Let me see if a senior advisor is free to go through this with you.", "supervisor_offer"),
    _e("agent", "I'm happy to escalate this to my supervisor, would that help?", "supervisor_offer"),
    _e("agent", "Shall I pass this up to the duty manager so they can review it?", "supervisor_offer"),
    _e("agent", "I can bring my team leader in on this call if you want.", "supervisor_offer"),
    _e("agent", "Would it help to speak to someone more senior? I can arrange that.", "supervisor_offer"),
    _e("agent", "I'll see if my manager's available, just hold the line a moment.", "supervisor_offer"),
    _e("agent", "If you're not happy with what I can offer, a supervisor can look at it as well, would you like that?", "supervisor_offer"),
    # closing
    _e("agent", "Is there anything else I can help you with today?", "closing"),
    _e("agent", "Before I let you go, was there anything else on the account you wanted to check?", "closing"),
    _e("agent", "So that's all sorted, you'll get a text to confirm, anything else at all?", "closing"),
    _e("agent", "Anything else I can do for you while I've got you, Ms Ngata?", "closing", "customer_name_used"),
    _e("agent", "Lovely, have I answered everything for you today?", "closing"),
    _e("agent", "That's everything done, so unless there's anything else, thanks for calling and take care.", "closing"),
    _e("agent", "Is that everything for now, or was there something else bothering you?", "closing"),
    _e("agent", "Right, you're all set, is there anything else you need from me?", "closing"),
    _e("agent", "Have I covered everything you rang about today?", "closing"),
    _e("agent", "Great, thanks for your patience, is there anything else before we finish up?", "closing"),
    # abuse
    _e("customer", "You're absolutely useless, do you know that?", "abuse"),
    _e("customer", "Don't give me that crap, you bloody idiot.", "abuse"),
    _e("customer", "Are you thick or something? I've told you three times.", "abuse"),
    _e("customer", "I swear, if this isn't fixed I'll come down there and sort you out myself.", "abuse"),
    _e("customer", "Shut up and listen to me for once, you muppet.", "abuse"),
    _e("customer", "What a load of bollocks, you lot are a bunch of crooks.", "abuse"),
    _e("customer", "You're a waste of space, honestly, you can't even read a screen.", "abuse"),
    _e("customer", "I'll find out where you work and you'll be sorry.", "abuse"),
    _e("customer", "Oh for God's sake, you stupid woman, just do your job.", "abuse"),
    _e("customer", "Piss off with your scripts, you're a joke.", "abuse"),
    # manager_request
    _e("customer", "I want to speak to your manager. Now.", "manager_request"),
    _e("customer", "Can you put me through to a supervisor, please?", "manager_request"),
    _e("customer", "Is there someone more senior I can talk to?", "manager_request"),
    _e("customer", "Get me your boss on the phone.", "manager_request"),
    _e("customer", "I'd like this escalated to a team leader, please.", "manager_request"),
    _e("customer", "Put me through to whoever's in charge over there.", "manager_request"),
    _e("customer", "Right, I'm not dealing with you any more, you're clueless, find me a manager.", "manager_request", "abuse"),
    _e("customer", "Could I speak to someone higher up, please? This has gone on long enough.", "manager_request"),
    _e("customer", "Is there a supervisor on shift I can have a word with?", "manager_request"),
    _e("customer", "I want somebody with actual authority, not another advisor.", "manager_request"),
    # hard negatives: agent
    _e("agent", "Sorry, could you say that again? The line's really bad."),
    _e("agent", "Sorry, you're breaking up a bit there."),
    _e("agent", "I can't hear you very well, are you on speaker?"),
    _e("agent", "I can't quite see the reference yet, my screen's still loading."),
    _e("agent", "My manager signed off the new opening hours last month, so we're open till eight now."),
    _e("agent", "I had a similar case with my supervisor last week and it was cleared the same day."),
    _e("agent", "Gareth from the engineering team has just updated the notes."),
    _e("agent", "Can I take the full name of the account holder, please?"),
    _e("agent", "Just bear with me while I go through security."),
    _e("agent", "For training and quality purposes, this call may be recorded."),
    _e("agent", "Is that Mrs Patel I'm speaking to?"),
    _e("agent", "The fault was on the line outside your property, and the engineer repaired it this morning."),
    _e("agent", "You'll get a confirmation email within the hour."),
    _e("agent", "The system will ask you for a four digit code, so have it handy."),
    _e("agent", "So the total comes to forty-two pounds fifty, including delivery."),
    _e("agent", "There's no charge for changing the date on this ticket."),
    _e("agent", "Nothing's changed on your tariff, it's the same as last year."),
    _e("agent", "Sorry, I meant the fourteenth, not the fourth."),
    _e("agent", "There's a planned outage in your area on Saturday night, between midnight and four."),
    _e("agent", "Let me just read you the terms for the cooling off period."),
    _e("agent", "Our complaints team marked it as resolved on the ninth, which is why you got that email."),
    _e("agent", "I'll just pop you on hold for a moment while I check that."),
    _e("agent", "Okay, so that's your date of birth confirmed."),
    _e("agent", "Thanks for calling Brightwater Energy, you're speaking with Callum."),
    _e("agent", "The supervisor approved your refund yesterday, so it should be with you by Friday."),
    _e("agent", "Your transfer to the savings account went through at ten past three."),
    _e("agent", "The store manager's offer is twenty percent off kitchenware this week."),
    # hard negatives: customer
    _e("customer", "Sorry, I'm just getting my card out of my purse."),
    _e("customer", "I'm absolutely furious about this, it's the third time the train's been cancelled."),
    _e("customer", "My manager at work's been brilliant about it, to be fair."),
    _e("customer", "This whole thing has been a nightmare from start to finish."),
    _e("customer", "I spoke to a supervisor last week and she said it would be sorted."),
    _e("customer", "Honestly, it's a bloody joke, the app keeps logging me out."),
    _e("customer", "I'm not having a go at you, love, I know it's not your fault."),
    _e("customer", "Can you tell me who the account manager is for our business line?"),
    _e("customer", "I can't do Tuesdays, I'm working."),
    _e("customer", "Sorry, what was your name again?"),
    _e("customer", "I'm so stressed about this, I've got a mortgage payment due on Friday."),
    _e("customer", "The last person I spoke to was lovely, but nothing happened after that."),
    _e("customer", "I think I'm going to put in a formal complaint about it."),
    _e("customer", "No, that's everything, thanks, you've been really helpful."),
    _e("customer", "Is there anything else you need from me, like my account number?"),
    _e("customer", "My husband's a senior manager there actually, so I know how it works."),
    _e("customer", "My son's run up a massive bill on game purchases, I could strangle him."),
)

# Both voices were checked on this machine: `espeak-ng -v VOICE -w /tmp/x.wav "..."` wrote a
# non-empty WAV for each (one male Scottish, one female Lancaster English variant).
VOICES: tuple[str, ...] = ("en-gb-scotland+m2", "en-gb-x-gbclan+f3")
