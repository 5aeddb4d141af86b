"""Sentences that name a role (manager, supervisor, boss, team leader, someone senior) or say
"calm down" without offering, requesting or telling anyone to calm down: labelled negatives
for the meaning bank's role kinds (issue 14, session 19).

Why: a sentence vector is pulled hard by one topic word. With the role kinds read from meaning,
"I have a new manager" lay nearer the bank's offers of a manager than any of its non-cue
examples, because the bank held ~125 offers and requests naming a role against ~40 sentences
that name one for another reason. This list adds the other reasons a role is named on a call
(the role's decisions, notes, absence, approval; the agent consulting the role; the caller's
own boss; past talks with a manager; a role's contact details asked for) and the other things
that "calm down", so the margin between the nearest examples with and without the kind measures
the act, not the role word.

Written for this purpose in session 19 by helper H3, by category, without copying the phrase
tests' hand-written hard negatives (``tests/unit/models/test_cues*.py``: they stay a held-out
check) or any cue set's sentences. Every entry is labelled with no kind.

Format: ``(speaker, text)``.
"""

from __future__ import annotations

AGENT: tuple[str, ...] = (
    # the role's decisions, approvals and notes, reported
    "My team leader changed the refund policy at the start of the month.",
    "The duty manager has already signed off that credit, it's on the account.",
    "Our supervisor put a note on here saying the engineer would call first.",
    "I can see my manager reviewed this case on Tuesday.",
    "The complaints manager wrote to you about this last week, didn't she?",
    "According to the supervisor's notes, the part is on back order.",
    "The area manager decided to close that branch in the spring.",
    "My supervisor approved a goodwill payment, which you should see on the next bill.",
    "The team leader who handled this has since moved to another department.",
    "Head office sent round a memo about these charges this morning.",
    # the role absent, busy or new
    "My supervisor is in a meeting all afternoon today.",
    "We've got a new team leader starting on Monday.",
    "The store manager is off sick at the moment.",
    "Our manager works from the other site on Thursdays.",
    "The supervisor on nights usually handles the courier queries.",
    # the agent consulting the role (a question asked of them, not the caller handed to them)
    "I'll double check that with my team leader before I promise anything.",
    "Let me just ask my supervisor whether that code still works.",
    "I'll run it past my manager and update the notes.",
    "I need my manager's sign off for anything over fifty pounds.",
    "I'm waiting on a reply from my supervisor about the discount.",
    "I checked with the duty manager and the fee can't be waived.",
    "I'll read through the supervisor's comments on the case first.",
    # the role in passing, in routine talk
    "I'll put a note on the account so my manager can see it in the morning.",
    "Managers get a weekly report of every complaint, so it will be seen.",
    "That's a question for the account manager on business accounts.",
    "Your account manager's name is on the top of the letter.",
    "The manager of the warehouse confirmed the parcel left on Friday.",
    "The supervisor mode just stops the children changing the settings.",
    "I was a team leader myself for a couple of years.",
    "My manager always says the app is the quickest way to do that.",
    "Shall I read you the email the manager sent?",
    "Can I put you on hold while I pull up your bill?",
    # "calm down" about things, not said to the caller
    "The demand usually calms down after the January sales.",
    "Things should calm down on the network by the evening.",
    "Once the storm calms down the engineers can get up the poles.",
    "It's been busy but the phones have calmed down a bit now.",
    "The price rises should calm down next year, from what I've heard.",
)

CUSTOMER: tuple[str, ...] = (
    # the caller's own boss or job
    "My line manager wants proof that I was waiting in for the engineer.",
    "I need to ring my supervisor at work and tell her I'll be late.",
    "My boss has been asking why I'm on the phone so much.",
    "I'm a supervisor at a call centre myself, so I get it.",
    "My manager let me work from home today because of the outage.",
    "I have to send my boss the receipt for the hotel.",
    "My team leader is the one who booked the tickets for us.",
    # past talks with a role, reported
    "A supervisor called me back on Friday and said it was fixed.",
    "I've already spoken with two managers about this and nothing happened.",
    "Last month your team leader promised me a refund.",
    "The manager I spoke to in the shop was very helpful.",
    "Someone senior rang me last week but the line dropped.",
    "Your supervisor emailed me on Monday to say it had been escalated.",
    # the role's details, decisions, or absence, asked about or told
    "What's your supervisor's name, just so I have it for my notes?",
    "Could you email me the manager's letter again, I've lost it?",
    "Does the manager have to approve the refund or can you do it?",
    "Is the store manager the person who signs for returns?",
    "Who was the supervisor who wrote this note on my account?",
    "Your manager said on the letter that I'd get a credit.",
    "The manager at your branch told me to call this number.",
    "The site supervisor let the engineer in this morning.",
    "I want the credit the manager promised, that's all.",
    "I'd like a copy of the email your supervisor sent me.",
    # the role named in passing
    "My husband is a manager at a bank, so he reads all the small print.",
    "Our building manager has the keys to the meter room.",
    "I used to be a team leader there, years ago.",
    "The manager of the football club is a neighbour of mine.",
    "I don't need anyone senior, I just need the internet back.",
    "No, you don't have to get a supervisor, just tell me the date.",
    # "calm down" about things, or oneself
    "Sorry, I just need a second to calm down, it's been a long day.",
    "The baby's finally calmed down, so I can talk now.",
    "Once the roadworks calm down the signal should be better, right?",
    "I'll call back when things calm down at home.",
)


def utterances() -> list[tuple[str, str, frozenset[str]]]:
    """Every entry as a labelled ``(speaker, text, no kinds)`` utterance."""
    none: frozenset[str] = frozenset()
    return [("agent", t, none) for t in AGENT] + [("customer", t, none) for t in CUSTOMER]
