"""Self-written probe sentences for the cue matcher (session 16, engineer H4; issue 14 item 3).

Each round was written BEFORE the matcher changes it prompted (rounds 1-3 before any change of
this session; round 4 after all of them, scored once), from general English, not copied from any
cue set: new wordings of each weak kind beside hard negatives that share the cue's words and carry
no cue (or only the kinds that truly apply). ``python bench/bench_cue_probes.py --round N`` scores
a round on the written text (``--matcher-py`` for another version of the matcher).

Once a round has been scored and its misses read it is development data, like the cue sets.
"""

from __future__ import annotations

CUSTOMER_NAME = "Imogen Fairweather"

Labelled = tuple[str, str, frozenset[str]]


def _e(speaker: str, text: str, *kinds: str) -> Labelled:
    return (speaker, text, frozenset(kinds))


# Round 1: negative phrasing, blame passing, bouncing (written 05:55 UTC, before any change).
ROUND_1: tuple[Labelled, ...] = (
    _e("agent", "I'm afraid we can't extend the offer past Friday.", "negative_phrasing"),
    _e("agent", "We're not able to reverse a transfer once it has cleared.", "negative_phrasing"),
    _e("agent", "I won't be able to reinstate the old tariff for you.", "negative_phrasing"),
    _e("agent", "We don't accept returns after thirty days.", "negative_phrasing"),
    _e("agent", "There's no way for us to speed that up.", "negative_phrasing"),
    _e("agent", "That isn't something we can change from here.", "negative_phrasing"),
    _e("agent", "No, we can't refund a used ticket.", "negative_phrasing"),
    _e("agent", "I'm unable to remove the late fee on this account.", "negative_phrasing"),
    _e("agent", "We don't offer price matching, unfortunately.", "negative_phrasing"),
    _e("agent", "That's not something I'm allowed to do.", "negative_phrasing"),
    _e("agent", "I can't hear you too well, could you move the phone closer?"),
    _e("agent", "I can't see any payments on the account since March."),
    _e("agent", "We don't charge for paper bills any more."),
    _e("agent", "There's no need to send the receipt, we've got a copy."),
    _e("agent", "We don't need the serial number, the order number's enough."),
    _e("agent", "You won't be able to log in until the reset email arrives."),
    _e("agent", "Nothing's been taken from your account yet."),
    _e("agent", "The courier's depot lost track of it, that's where it went wrong.", "blame_passing"),
    _e("agent", "Honestly the website's been glitching all morning, it keeps dropping people's baskets.", "blame_passing"),
    _e("agent", "The man who installed it didn't fit the bracket properly.", "blame_passing"),
    _e("agent", "Our printing partner sent the letters out without checking the addresses.", "blame_passing"),
    _e("agent", "If you'd told us you'd moved, the card would have gone to the right place.", "blame_passing"),
    _e("agent", "That's the landlord's responsibility, not ours.", "blame_passing"),
    _e("agent", "It's the insurer holding it up, they haven't signed it off.", "blame_passing"),
    _e("agent", "The agent you had before obviously never logged the call.", "blame_passing"),
    _e("agent", "The payment provider won't let me put it through.", "blame_passing"),
    _e("agent", "That's the hotel's mistake, they double booked the room.", "blame_passing"),
    _e("agent", "The courier will pick it up between nine and five."),
    _e("agent", "Our partner company handles the installations in your area."),
    _e("agent", "The system lets you change the date online."),
    _e("agent", "If you'd like, I can send the form again.", "solution_offer"),
    _e("agent", "The engineer fitted a new bracket and tested it."),
    _e("agent", "The hotel has confirmed your booking for two nights."),
    _e("agent", "I didn't catch the last part of the postcode."),
    _e("agent", "That would be the pensions team, I can give you their number.", "bouncing"),
    _e("agent", "Our team doesn't handle business accounts, you want the commercial line.", "bouncing"),
    _e("agent", "You're better off speaking to the council about the bins.", "bouncing"),
    _e("agent", "That's one for your bank, they'll be able to tell you why it was declined.", "bouncing"),
    _e("agent", "I'll have to pass you over to the lettings office.", "bouncing"),
    _e("agent", "This line only deals with new orders, you'll need to phone the returns desk.", "bouncing"),
    _e("agent", "Did you get the call back we booked for you on Monday?"),
    _e("agent", "The returns team have received your parcel and logged it."),
    _e("agent", "Your bank will show the payment as pending for a day or two."),
)

# Round 2: solution offer, ownership, closing, paraphrasing (written 05:55 UTC, before any change).
ROUND_2: tuple[Labelled, ...] = (
    _e("agent", "I can knock the delivery charge off as a goodwill gesture.", "solution_offer"),
    _e("agent", "Let me reschedule the installation for next Tuesday.", "solution_offer"),
    _e("agent", "We can swap it for the silver model at no cost.", "solution_offer"),
    _e("agent", "I could pop a new SIM in the post to you today.", "solution_offer"),
    _e("agent", "What I'd suggest is I reset your password and send a new link.", "solution_offer"),
    _e("agent", "I'll upgrade you to the faster package for the same price.", "solution_offer"),
    _e("agent", "Let me arrange for a technician to come out on Saturday.", "solution_offer"),
    _e("agent", "I can add a month's free service to make up for it.", "solution_offer"),
    _e("agent", "The simplest option is for us to cancel and reissue the ticket.", "solution_offer"),
    _e("agent", "I can get the fee reversed for you straight away.", "solution_offer"),
    _e("agent", "I can give you the reference number if you have a pen."),
    _e("agent", "Let me just check your postcode first."),
    _e("agent", "I'll read you the cancellation terms now."),
    _e("agent", "I can see the engineer visited on Monday."),
    _e("agent", "Let me pull up your account."),
    _e("agent", "I can confirm the payment went through."),
    _e("agent", "I'm taking this on personally, so you won't need to call again.", "ownership"),
    _e("agent", "I'll stay with this until it's properly sorted.", "ownership"),
    _e("agent", "From now on I'm your contact for this claim, here's my direct line.", "ownership"),
    _e("agent", "I'm going to look into it myself and ring you tomorrow.", "ownership"),
    _e("agent", "Don't worry, this is my responsibility now and I'll see it through.", "ownership"),
    _e("agent", "We'll sort this out together, you and me.", "ownership"),
    _e("agent", "I won't close this ticket until you're happy with the fix.", "ownership"),
    _e("agent", "I've got this week's bill open in front of me."),
    _e("agent", "That's my colleague's case, but I can see the notes."),
    _e("agent", "Let me make sure I've got the right account."),
    _e("agent", "The team will take care of the paperwork at their end."),
    _e("agent", "Was there anything else I could help with?", "closing"),
    _e("agent", "Have I sorted everything out for you today?", "closing"),
    _e("agent", "Does that cover everything you needed?", "closing"),
    _e("agent", "Okay, that's all done, anything else while you're on?", "closing"),
    _e("agent", "Thanks for your time today, take care now.", "closing"),
    _e("agent", "Good afternoon, thanks for calling Northway Bank, my name's Priya, how can I help?"),
    _e("agent", "Is there anything else on the receipt, like an order number?"),
    _e("agent", "Have you covered the cost of the return postage yourself?"),
    _e("agent", "So just so I'm sure, the meter was read in March and the bill still shows an estimate?", "paraphrasing"),
    _e("agent", "Let me play that back to you: the parcel arrived but the box was empty?", "paraphrasing"),
    _e("agent", "So you were charged the full price even though the code was applied, is that it?", "paraphrasing"),
    _e("agent", "Okay, to make sure we're on the same page, you want the account closed, not paused?", "paraphrasing"),
    _e("agent", "If I've got this right, nobody has been out since the first visit?", "paraphrasing"),
    _e("agent", "I'll send you an email to confirm the new date."),
    _e("agent", "You'll receive a text to confirm your appointment."),
    _e("agent", "It sounds like the router needs a restart, let me walk you through it."),
)

# Round 3: abuse, manager request, boundary setting, supervisor offer, empathy, apologies
# (written 05:55 UTC, before any change).
ROUND_3: tuple[Labelled, ...] = (
    _e("customer", "You're a complete waste of oxygen, you know that?", "abuse"),
    _e("customer", "You thieving lot, you've robbed me blind.", "abuse"),
    _e("customer", "Listen, you useless man, just put it right.", "abuse"),
    _e("customer", "I know where your office is, I'll be round there and you'll regret it.", "abuse"),
    _e("customer", "Are you deaf or just stupid?", "abuse"),
    _e("customer", "What a load of crap, you people are scammers.", "abuse"),
    _e("customer", "Bollocks, that's a lie and you know it.", "abuse"),
    _e("customer", "You absolute clown.", "abuse"),
    _e("customer", "The bloody bus was late again so I missed the post office."),
    _e("customer", "I'm really angry, this has been going on for weeks."),
    _e("customer", "It's a joke, honestly, the website never works."),
    _e("customer", "I'll come down to the branch tomorrow and sort it out myself."),
    _e("customer", "Who's above you? I want to talk to them.", "manager_request"),
    _e("customer", "Can I speak to the person who runs your department?", "manager_request"),
    _e("customer", "Is there a team leader around I could speak with?", "manager_request"),
    _e("customer", "I'd like someone with real authority to call me back.", "manager_request"),
    _e("customer", "Pass me up the chain, please, I'm done with this.", "manager_request"),
    _e("customer", "Put your supervisor on, now.", "manager_request"),
    _e("customer", "Get someone senior on the line for me.", "manager_request"),
    _e("customer", "My supervisor at work said I should ring you."),
    _e("customer", "Is there a manager's email I can write to?"),
    _e("customer", "Is there a branch near me that's open on Sunday?"),
    _e("customer", "I want someone to come and fix the boiler, not another leaflet."),
    _e("agent", "I'm glad to carry on, provided we keep things civil.", "boundary_setting"),
    _e("agent", "Could I ask you to stop shouting, please, so I can hear the details?", "boundary_setting"),
    _e("agent", "I'd ask that we leave the name calling out of it.", "boundary_setting"),
    _e("agent", "I'm not going to be spoken to like that, but I do want to sort this.", "boundary_setting"),
    _e("agent", "Please don't talk over me, it makes it harder to help.", "boundary_setting"),
    _e("agent", "We can carry on as long as you stop swearing at me.", "boundary_setting"),
    _e("agent", "As long as you keep the receipt, you can return it within thirty days."),
    _e("agent", "Could I ask you to read out the number on the back of the card?"),
    _e("agent", "We can keep things simple and do it over email."),
    _e("agent", "Would it help if a supervisor called you back later today?", "supervisor_offer"),
    _e("agent", "Do you want me to get somebody more senior to look at this?", "supervisor_offer"),
    _e("agent", "I can hand this to my team manager, she can authorise it.", "supervisor_offer"),
    _e("agent", "Would it be helpful to talk to my line manager about it?", "supervisor_offer"),
    _e("agent", "My manager is off today, so I'm covering her calls."),
    _e("agent", "The team manager approved the changes last month."),
    _e("agent", "That's an awful spot to be in, right before a holiday.", "empathy"),
    _e("agent", "It's not what anyone needs when they've just moved house.", "empathy"),
    _e("agent", "I can tell how worried you are about it.", "empathy"),
    _e("agent", "That's such a stressful thing to be dealing with.", "empathy"),
    _e("agent", "That's a difficult question, let me find out."),
    _e("agent", "It's not what you ordered, so we'll collect it."),
    _e("agent", "That's a tough one to answer without the reference."),
    _e("agent", "Sorry, madam, we should have sent the new card before the old one expired.", "specific_apology"),
    _e("agent", "I apologise for the letter, it should never have gone to your neighbour.", "specific_apology"),
    _e("agent", "My apologies, our technician was meant to call ahead and didn't.", "specific_apology"),
    _e("agent", "Sorry for any delay.", "bare_apology"),
    _e("agent", "Apologies for any hassle there.", "bare_apology"),
    _e("agent", "Sorry, correction, the total is twelve fifty."),
)

ROUNDS: dict[int, tuple[Labelled, ...]] = {1: ROUND_1, 2: ROUND_2, 3: ROUND_3}
