"""Routine contact-centre talk that carries no cue kind: negatives for the meaning bank (issue 14).

Why: the meaning cues (``models/speech/meaning_cues.py``) give a sentence a kind when its nearest
labelled examples with the kind are clearly nearer than its nearest examples without it. The cue
sets' negatives are *hard* negatives, placed beside a kind; ordinary call talk (greetings,
verification, reading back, holds, thanks, small talk, the customer's account of the problem) is
thin there, so a routine sentence that shares a form with a cue ("thank you for that" / "sorry
about that", "how can I help you today" / "anything else I can help you with today") found its
nearest neighbours among the positives. Found on the real LCA call (session 18) and mended with
this list: written by call phase, every phase a contact centre has, not from the evaluation sets.
The LCA figures after it are therefore development figures; the blind set and the real
transcripts of AMI and the phone call are not.

Format: ``(speaker, text)``; every entry is labelled with no kind.
"""

from __future__ import annotations

AGENT: tuple[str, ...] = (
    # opening
    "Good morning, you're through to customer services, my name is Dana, how can I help you today?",
    "Hi, thanks for calling, this is Marcus speaking, what can I do for you?",
    "Hello, you've reached the billing team, how may I help?",
    "Good afternoon, who am I speaking with today?",
    "Hi there, how can I help you this evening?",
    "Thanks for holding, my name's Priti, what's the call about today?",
    # verification
    "Can I take your account number, please?",
    "Could you confirm the first line of your address and the postcode?",
    "And can I just get your date of birth for security?",
    "Thank you for that, and the email address on the account?",
    "Thanks for confirming that.",
    "Lovely, that's all matched up, thank you.",
    "Can you spell your surname for me?",
    "Is this still the best number to reach you on?",
    # gathering information
    "When did you first notice the problem?",
    "And what does the light on the router show at the moment?",
    "Which card did you make the payment with?",
    "Roughly what time was the delivery booked for?",
    "Okay, and was that on the app or on the website?",
    "Do you have the order reference to hand?",
    "How many devices are connected to it?",
    "What's the model number on the back of the unit?",
    # holds and system time
    "Bear with me one moment while I pull up your account.",
    "I'm just going to pop you on a brief hold, is that alright?",
    "Thanks for waiting, I'm back with you now.",
    "The system's a little slow this morning, it's just loading.",
    "Give me two seconds, I'm typing this up.",
    "Just bear with me while I read through the notes.",
    # reading back and confirming details
    "So that's flat four, twenty two Mill Lane, is that right?",
    "I can see the order here, placed on the fourteenth.",
    "Your next bill is due on the third of next month.",
    "The balance on the account is forty two pounds fifty.",
    "Your contract runs until March next year.",
    "I can see two payments came out on the same day.",
    "That's going to the email ending in gmail dot com.",
    "Your reference number is seven seven three four nine.",
    # explaining plainly
    "The meter readings are sent automatically every half hour.",
    "The tariff is a fixed rate for twelve months.",
    "The engineer will text you on the morning with a time slot.",
    "Parcels usually arrive between eight and six.",
    "The statement shows each charge with the date it was taken.",
    "That setting is under account, then notifications.",
    # thanks, acknowledgements, small talk
    "Thank you for that.",
    "Thanks very much.",
    "Okay, perfect.",
    "Right, okay, got it.",
    "Brilliant, thank you.",
    "No problem at all.",
    "Lovely weather today, isn't it?",
    "Oh, I know that area, it's very pretty there.",
    "Ha, yes, Mondays are always like that.",
    "Okay, I've made a note of that on the account.",
    "Sure, one moment.",
    "Yes, that's right.",
    "Great, so that's all updated for you now.",
    "Can you hear me okay?",
    "Sorry, you cut out for a second there, could you repeat that?",
    "Sorry, could you say that number again?",
)

CUSTOMER: tuple[str, ...] = (
    "Hi, I'm calling about my last bill.",
    "Yes, hello, I've got a question about my order.",
    "My account number is four five six, seven eight nine.",
    "It's twelve Oak Road, and the postcode is AB1 2CD.",
    "My date of birth is the fourth of June, nineteen eighty.",
    "It started on Tuesday, I think, or maybe Wednesday.",
    "The light's flashing orange at the moment.",
    "I paid with my debit card on the website.",
    "I ordered it about two weeks ago.",
    "Yes, that's the right address.",
    "Okay, thank you.",
    "Thanks for that.",
    "Yes, I can hear you fine.",
    "Hang on, let me find the letter.",
    "Sorry, the dog's barking, one second.",
    "I've got the reference here somewhere.",
    "It's the one ending in four two.",
    "Can you tell me when the engineer is coming?",
    "How much is the early payment?",
    "Do I need to be in for the delivery?",
    "Okay, so I just wait for the email?",
    "Right, that makes sense.",
    "Great, that's everything, cheers.",
    "No, that's all, thank you.",
    "Okay, bye now.",
    "I was at work all day so I didn't see the text.",
    "My daughter usually sorts this out for me.",
    "We moved in last month.",
    "I've been a customer for about ten years.",
    "I tried turning it off and on again already.",
    "Is it the same price as last year?",
    "Could you send that to me in writing?",
    "Sorry, could you repeat that?",
    "Hello? Are you still there?",
)


def utterances() -> list[tuple[str, str, frozenset[str]]]:
    """Every entry as a labelled ``(speaker, text, no kinds)`` utterance."""
    return [("agent", t, frozenset()) for t in AGENT] + [
        ("customer", t, frozenset()) for t in CUSTOMER
    ]
