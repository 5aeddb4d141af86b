"""A fresh, blind labelled set of contact-centre utterances for the phrase cues (issue 14).

Written from scratch, blind to the cue matcher: its author did not open the cue vocabulary
(models/speech/cues.toml), the matcher (models/speech/cues.py), the earlier labelled set
(bench/cue_set.py), the cue benchmarks or their docs, any cue test, or the git history of those.
The sentences come from everyday phone speech between agents and customers, guided by (but not
copied from) the guidance texts in /work/shared/seeds/ (what good and bad agent behaviour is).
Each utterance carries the kinds a person would mark; hard negatives carry no kind (or only the
kinds that truly apply). This set is for ONE held-out evaluation only: do not tune anything on it,
and do not add its sentences or phrases to the matcher's vocabulary.
"""

from __future__ import annotations

CUSTOMER_NAME = "Daniel Okafor"

Labelled = tuple[str, str, frozenset[str]]


def _e(speaker: str, text: str, *kinds: str) -> Labelled:
    return (speaker, text, frozenset(kinds))


UTTERANCES: tuple[Labelled, ...] = (
    # --- empathy ---
    _e("agent", "Oh no, with the move this week as well, that must be so stressful.", "empathy"),
    _e("agent", "I can hear how frustrated you are, and honestly I'd feel the same.", "empathy"),
    _e("agent", "Three days without a connection while you're working from home, that must be tough.", "empathy"),
    _e("agent", "That's completely understandable, nobody wants to spend their lunch break on hold.", "empathy"),
    _e("agent", "I get it, it's really annoying when you've already explained this twice.", "empathy"),
    _e("agent", "Um, I can imagine how worrying that was when your card got declined at the till.", "empathy"),
    _e("agent", "Yeah, that would upset me too if it happened to my mum.", "empathy"),
    _e("agent", "You've clearly had a rough week with all this, I really do appreciate you bearing with us.", "empathy"),
    # --- specific_apology ---
    _e("agent", "I'm so sorry nobody came out on Tuesday when you'd taken the day off.", "specific_apology"),
    _e("agent", "I apologise that you were charged twice for the same order.", "specific_apology"),
    _e("agent", "Sorry you had to wait forty minutes just to get through to us.", "specific_apology"),
    _e("agent", "I really apologise for the mix-up with your delivery address.", "specific_apology"),
    _e("agent", "Okay, first of all, I'm sorry nobody rang you back last week like they promised.", "specific_apology"),
    _e("agent", "My apologies that the replacement phone arrived with a cracked screen.", "specific_apology"),
    _e("agent", "I'm sorry you were given the wrong information about the cancellation fee.", "specific_apology"),
    _e("agent", "So sorry about that late fee, it should never have been added to your account.", "specific_apology"),
    # --- bare_apology ---
    _e("agent", "Oh, I'm sorry about that.", "bare_apology"),
    _e("agent", "Okay, apologies for the inconvenience.", "bare_apology"),
    _e("agent", "Sorry for any trouble this may have caused.", "bare_apology"),
    _e("agent", "Right, well, I do apologise.", "bare_apology"),
    _e("agent", "Oh, I'm so sorry, sir.", "bare_apology"),
    _e("agent", "We apologise for any inconvenience caused, okay?", "bare_apology"),
    _e("agent", "Sorry about all that, it's just one of those things.", "bare_apology"),
    _e("agent", "Alright, sorry about the hassle.", "bare_apology"),
    # --- customer_name_used ---
    _e("agent", "Okay Daniel, can you confirm the postcode on the account for me?", "customer_name_used"),
    _e("agent", "Thanks, Mr. Okafor, I've got your details up now.", "customer_name_used"),
    _e("agent", "Right, Daniel, bear with me one moment while I pull that up.", "customer_name_used"),
    _e("agent", "Good morning Mr. Okafor, you're through to Harriet in accounts.", "customer_name_used"),
    _e("agent", "Daniel, just so you know, this call is being recorded.", "customer_name_used"),
    _e("agent", "Is this still the best number to reach you on, Mr. Okafor?", "customer_name_used"),
    _e("agent", "Alright Daniel, and what email address would you like us to use?", "customer_name_used"),
    _e("agent", "Mr. Okafor, are you still there? I think the line dropped for a second.", "customer_name_used"),
    # --- negative_phrasing ---
    _e("agent", "Yeah, no, I can't do that, sir.", "negative_phrasing"),
    _e("agent", "It's company policy, so there's nothing I can do.", "negative_phrasing"),
    _e("agent", "Sir, you really need to calm down first.", "negative_phrasing"),
    _e("agent", "No, that's not possible once the order's been dispatched.", "negative_phrasing"),
    _e("agent", "Unfortunately we don't refund opened items, that's the rule.", "negative_phrasing"),
    _e("agent", "You're going to have to wait like everyone else.", "negative_phrasing"),
    _e("agent", "There's no way I can waive that fee.", "negative_phrasing"),
    _e("agent", "Look, I'm not able to change it, I've already told you twice.", "negative_phrasing"),
    # --- blame_passing ---
    _e("agent", "That was a mistake on billing's side, not mine.", "blame_passing"),
    _e("agent", "Honestly, the courier lost it, that's on them, not us.", "blame_passing"),
    _e("agent", "Well, the guy you spoke to yesterday shouldn't have told you that.", "blame_passing"),
    _e("agent", "The system's been messing up all week, that's the IT team's fault.", "blame_passing"),
    _e("agent", "If you'd read the terms when you signed up, this wouldn't have happened.", "blame_passing"),
    _e("agent", "That's the warehouse again, they keep sending out the wrong sizes.", "blame_passing"),
    _e("agent", "Yeah, the previous agent didn't put any notes on your account, so.", "blame_passing"),
    _e("agent", "Um, that's down to the installation contractor, they were supposed to sort it.", "blame_passing"),
    # --- bouncing ---
    _e("agent", "For that you'll have to ring the other number on your letter.", "bouncing"),
    _e("agent", "We don't deal with that here, have a look on the website.", "bouncing"),
    _e("agent", "You'd need to speak to your bank about that one.", "bouncing"),
    _e("agent", "I'm just going to pop you through to technical, they'll deal with it.", "bouncing"),
    _e("agent", "You need to email the complaints team, I can't see anything on my side.", "bouncing"),
    _e("agent", "Best thing is to go into one of our stores and ask them.", "bouncing"),
    _e("agent", "That's a different department, you'll want to ring them Monday to Friday.", "bouncing"),
    _e("agent", "Have you tried contacting the manufacturer directly?", "bouncing"),
    # --- solution_offer ---
    _e("agent", "What I can do is get a replacement sent out today on next-day delivery.", "solution_offer"),
    _e("agent", "Okay, so one option is to credit the two months back to your account.", "solution_offer"),
    _e("agent", "I could book an engineer for Thursday morning, would that work for you?", "solution_offer"),
    _e("agent", "How about I move you onto the cheaper plan from this billing cycle?", "solution_offer"),
    _e("agent", "Let's try restarting the router together, that usually clears it.", "solution_offer"),
    _e("agent", "I can refund the delivery charge and upgrade you to express shipping.", "solution_offer"),
    _e("agent", "If it helps, we can split the balance into three monthly payments.", "solution_offer"),
    _e("agent", "Right, I'm able to take the late fee off as a one-off.", "solution_offer"),
    # --- ownership ---
    _e("agent", "I'll look after this myself and give you a call back by five.", "ownership"),
    _e("agent", "Leave it with me, I'll chase the warehouse personally.", "ownership"),
    _e("agent", "I'm going to own this one, you won't need to call in again.", "ownership"),
    _e("agent", "I'll stay on the line with you until it's sorted.", "ownership"),
    _e("agent", "I'll make sure this gets fixed, and I'll email you once it's done.", "ownership"),
    _e("agent", "This is on me now, I'll follow up with the engineer and ring you tomorrow.", "ownership"),
    _e("agent", "Okay, I'm putting my name on the case so it comes straight back to me.", "ownership"),
    _e("agent", "You don't need to do anything else, I'll handle it from here.", "ownership"),
    # --- paraphrasing ---
    _e("agent", "So if I've understood you, the same order went out of your account twice.", "paraphrasing"),
    _e("agent", "Let me make sure I've got this right, it says delivered but nothing arrived?", "paraphrasing"),
    _e("agent", "Okay, so what you're saying is the app logs you out every time you open it.", "paraphrasing"),
    _e("agent", "Just to check, you cancelled in March but you're still being billed?", "paraphrasing"),
    _e("agent", "So the heating works but there's no hot water, is that right?", "paraphrasing"),
    _e("agent", "Right, if I'm following you, the engineer came but left without fixing the socket.", "paraphrasing"),
    _e("agent", "So basically you were promised a discount on the phone and it never showed on the bill.", "paraphrasing"),
    _e("agent", "Sorry, just to confirm, it's the second line that's cut off, not your main number?", "paraphrasing"),
    # --- boundary_setting ---
    _e("agent", "I do want to help you, but the swearing has to stop.", "boundary_setting"),
    _e("agent", "I'm happy to keep going, but please don't call me names.", "boundary_setting"),
    _e("agent", "Sir, I'm here to sort this out, but I need us to keep it respectful.", "boundary_setting"),
    _e("agent", "If the shouting carries on I'll have to end the call, and I'd rather not.", "boundary_setting"),
    _e("agent", "Let's keep the language civil so we can get this fixed.", "boundary_setting"),
    _e("agent", "I'm going to ask you once more not to use that language with me.", "boundary_setting"),
    _e("agent", "I won't respond to personal insults, but I will help you with the bill.", "boundary_setting"),
    _e("agent", "Please lower your voice, Daniel, I really do want to get this resolved.",
       "boundary_setting", "customer_name_used"),
    # --- supervisor_offer ---
    _e("agent", "Would you like me to get my supervisor on the line?", "supervisor_offer"),
    _e("agent", "I can ask my manager to give you a call this afternoon.", "supervisor_offer"),
    _e("agent", "Let me bring in my team leader, she can approve that.", "supervisor_offer"),
    _e("agent", "If you'd prefer, I'll transfer you to a supervisor now.", "supervisor_offer"),
    _e("agent", "I'm going to escalate this to a senior manager today.", "supervisor_offer"),
    _e("agent", "Do you want me to see if a supervisor is free to speak with you?", "supervisor_offer"),
    _e("agent", "I'll get the duty manager to call you back within the hour.", "supervisor_offer"),
    _e("agent", "Okay, hold on one moment, I'll grab someone more senior for you.", "supervisor_offer"),
    # --- closing ---
    _e("agent", "Is there anything else I can help you with today?", "closing"),
    _e("agent", "Thanks for calling in, have a good day now.", "closing"),
    _e("agent", "Alright, you're all set, enjoy the rest of your evening.", "closing"),
    _e("agent", "Was there anything else at all today?", "closing"),
    _e("agent", "Thank you for your patience, take care now, bye bye.", "closing"),
    _e("agent", "Great, that's everything done on my side, thanks for ringing in.", "closing"),
    _e("agent", "Anything more I can do for you before I let you go?", "closing"),
    _e("agent", "Thanks Daniel, have a lovely weekend.", "closing", "customer_name_used"),
    # --- abuse (customer) ---
    _e("customer", "You're completely useless, do you know that?", "abuse"),
    _e("customer", "Are you an idiot or just pretending to be one?", "abuse"),
    _e("customer", "This is bloody ridiculous, you lot are a joke.", "abuse"),
    _e("customer", "Shut up and listen to me for once.", "abuse"),
    _e("customer", "What the hell is wrong with you people?", "abuse"),
    _e("customer", "You're a moron, you know that, an absolute moron.", "abuse"),
    _e("customer", "Don't give me that crap, you're lying to me.", "abuse"),
    _e("customer", "Honestly, you're the most incompetent person I've ever dealt with.", "abuse"),
    # --- manager_request (customer) ---
    _e("customer", "I want to speak to your manager, now.", "manager_request"),
    _e("customer", "Can you put me through to a supervisor, please?", "manager_request"),
    _e("customer", "Is there someone in charge I can talk to?", "manager_request"),
    _e("customer", "Get me somebody senior, I'm done with this.", "manager_request"),
    _e("customer", "Who's your boss? I'd like to talk to them.", "manager_request"),
    _e("customer", "I'd like this escalated to a team leader, please.", "manager_request"),
    _e("customer", "Right, I'm not discussing this any further without a manager on the line.", "manager_request"),
    _e("customer", "Could I have a word with whoever runs this department?", "manager_request"),
    # --- two kinds a person would mark ---
    _e("agent", "I'm so sorry your bill went up without any warning, Mr. Okafor.",
       "specific_apology", "customer_name_used"),
    _e("agent", "Sorry to keep you waiting so long, thanks for holding.", "specific_apology"),
    _e("agent", "I'm really sorry the engineer didn't turn up, I'll chase it myself and ring you by three.",
       "specific_apology", "ownership"),
    _e("agent", "That's not our department, sir, and honestly there's nothing I can do.",
       "bouncing", "negative_phrasing"),
    _e("agent", "I can see why you're upset, so what I can do is reschedule it for Saturday.",
       "empathy", "solution_offer"),
    _e("customer", "You're useless, just get me your manager.", "abuse", "manager_request"),
    _e("agent", "Okay Daniel, so the router keeps dropping out every evening, is that right?",
       "customer_name_used", "paraphrasing"),
    # --- hard negatives: key words in another sense, and neutral lines ---
    _e("customer", "My manager asked me to ring you about the invoice."),
    _e("customer", "There's a light marked supervisor on the router and it's flashing orange."),
    _e("customer", "Don't get me wrong, I'm not sorry I moved over to you lot."),
    _e("customer", "Honestly, I can't thank you enough for sorting that."),
    _e("customer", "Sorry, can you repeat the last part?"),
    _e("customer", "I'm sorry, I'm a bit flustered, I've only just got home."),
    _e("customer", "My name's Daniel Okafor, and the account number ends in four two seven."),
    _e("customer", "I was transferred three times before I got to you."),
    _e("customer", "My daughter's the one who normally deals with the bills."),
    _e("customer", "The other department said you'd be able to help."),
    _e("customer", "It's not your fault, I know you're just doing your job."),
    _e("customer", "Sorry, hang on, calm down Buster, it's only the postman."),
    _e("customer", "I'm a store manager myself, so I know how busy it gets."),
    _e("customer", "The damn printer jammed again this morning."),
    _e("customer", "Is there anything else I need to do on my end?"),
    _e("customer", "That's brilliant, you've been really helpful."),
    _e("customer", "Can I just call the other number instead, is that quicker?"),
    _e("customer", "Your supervisor rang me yesterday and sorted most of it."),
    _e("customer", "My son swears by your broadband, that's why I signed up."),
    _e("customer", "Honestly, I feel terrible for shouting earlier."),
    _e("customer", "Thanks for calling me back, have a good day."),
    _e("customer", "I understand it's not your department, I just want to know who to ring."),
    _e("agent", "The shop on the high street shuts at six, so come down before then if you're collecting."),
    _e("agent", "The refund was reviewed on Friday and the original charge is staying on the account."),
    _e("agent", "Let me just pull up your account."),
    _e("agent", "One moment while I check that for you."),
    _e("agent", "Your balance at the moment is forty two pounds fifty."),
    _e("agent", "The engineer is booked for the morning slot, between eight and twelve."),
    _e("agent", "I can't see why not, that should be fine."),
    _e("agent", "No problem at all, happy to help."),
    _e("agent", "There's nothing to worry about, the payment's gone through."),
    _e("agent", "I don't see any late fees on there, so you're all good."),
    _e("agent", "My manager actually approved that discount this morning, so it's already applied."),
    _e("agent", "Your account's been moved over to the new billing system, so the reference has changed."),
    _e("agent", "Our lines are open until eight tonight."),
    _e("agent", "Sorry, you cut out there, could you say that again?"),
    _e("agent", "The policy number is on the top right of your letter."),
    _e("agent", "Thanks for that, and can I take the first line of the address?"),
    _e("agent", "I can see the account's under Daniel Okafor, are you calling on his behalf?"),
    _e("agent", "That supervisor mode on the thermostat just locks the settings."),
    _e("agent", "Okay, that's gone through, it should show in three to five working days."),
    _e("agent", "Don't worry about the cable, the engineer brings a new one with him."),
    _e("agent", "I'm not able to hear you very well, are you on speaker?"),
    _e("agent", "That sounds like the router's still on the old firmware."),
    _e("agent", "Mm-hm, okay, and when did you first notice it?"),
)

# espeak-ng voices not used by the earlier sets (en-us+m3, en-us+f2, en-gb-x-rp+m5, en-us+f4):
# one male, one female English variant, both checked to synthesise on this machine.
VOICES: tuple[str, ...] = ("en-gb+m4", "en-us+f5")
