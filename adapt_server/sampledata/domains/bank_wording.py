"""The wording of the bank calls: sentence templates per dialogue step, one disjoint bank per split.

Slots: bank.SLOT_NAMES, plus `{issue}` (what happened to the card, from ISSUES). The banks share no sentence
and no issue. Numbers are written as words: the transcript holds what is spoken.
"""

from __future__ import annotations

TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "train": {
        "greeting": (
            "Thank you for calling {bank} card services, my name is {agent_first}. How can I help?",
            "You've reached the {bank} fraud team, this is {agent_first}. What can I do for you?",
            "Hello, {bank}, {agent_first} speaking. How may I assist you today?",
        ),
        "reason": (
            "Hi {agent_first}. My {card} {issue}.",
            "Hello, I'm calling because my {card} {issue}, and I'm worried.",
            "Yes, hi. I think my {card} {issue}.",
        ),
        "ask_identity": (
            "I'm sorry to hear that. Can I have your full name and the last four digits of the card?",
            "Let's get that secured. What's the cardholder's name and the last four digits on the card?",
        ),
        "give_identity": (
            "It's {customer_full}, and the card ends in {card_last_four}.",
            "My name is {customer_full}. The last four are {card_last_four}.",
        ),
        "ask_dob": (
            "Thank you, {customer_first}. Can you confirm your date of birth for me?",
            "Thanks. And what's the date of birth on the account?",
        ),
        "give_dob": (
            "It's {dob}.",
            "I was born on {dob}.",
        ),
        "hold": (
            "Thank you, you're verified. Let me pull up the recent transactions.",
            "Great, that matches. Give me a moment to review the card activity.",
        ),
        "ask_phone": (
            "What's the best number to reach you if we see more suspicious activity?",
            "Can I get a mobile number for fraud alerts?",
        ),
        "give_phone": (
            "Sure, it's {phone}.",
            "You can text me at {phone}.",
        ),
        "ask_charge": (
            "Which transaction don't you recognize?",
            "Can you walk me through the charge you're disputing?",
        ),
        "describe_charge": (
            "There's a payment of {charge} to {merchant} on {charge_date}. I've never shopped there.",
            "It's {charge} at {merchant}, dated {charge_date}. That wasn't me.",
        ),
        "freeze": (
            "I've placed a temporary freeze on the {card}, so no new contactless or online payments will go through. Is that okay?",
            "For your protection I'm blocking the {card} right now. Do you still have it with you?",
        ),
        "freeze_reply": (
            "Yes, please block it. I can't find it anywhere.",
            "That's fine, I'd rather be safe.",
        ),
        "resolve": (
            "I've cancelled the {card}, opened a chargeback for {charge} with {merchant}, and you'll get a provisional credit within two business days.",
            "The dispute for {charge} is filed against {merchant}. A provisional credit will show on your statement while we investigate.",
            "I've reported the card as stolen and reversed the {charge} from {merchant}. A new {card} is on its way.",
        ),
        "ask_offer": (
            "While I have you, could I switch to the {offer_card} instead?",
            "Is the {offer_card} any better for travel?",
        ),
        "answer_offer": (
            "Yes, the {offer_card} has an annual fee of {annual_fee} and no foreign transaction fees.",
            "The {offer_card} costs {annual_fee} a year, and I can send the application today.",
        ),
        "ask_address": (
            "Your replacement card will be mailed by {ship_date}. Can you confirm your mailing address?",
            "We'll ship the new card by {ship_date}. What address should it go to?",
        ),
        "give_address": (
            "It's {address}.",
            "Please send it to {address}.",
        ),
        "ask_email": (
            "Would you like a copy of the dispute by email? Which address?",
            "What email should we use for your statements?",
        ),
        "give_email": (
            "Use {email}, please.",
            "It's {email}.",
        ),
        "thanks": (
            "Thank you, that's a huge relief.",
            "Okay, thanks so much for your help.",
        ),
        "closing": (
            "You're welcome, {customer_first}. Keep an eye on your alerts, and thank you for banking with {bank}.",
            "Glad I could help, {customer_first}. Have a good day.",
        ),
    },
    "holdout": {
        "greeting": (
            "{bank}, lost and stolen cards. I'm {agent_first}, who do I have on the line?",
            "Good afternoon, this is {agent_first} with {bank}. What's happened with your card?",
        ),
        "reason": (
            "Hello {agent_first}. I need help, my {card} {issue}.",
            "Hey. So my {card} {issue}, and I need it sorted out.",
        ),
        "ask_identity": (
            "Okay, let's take care of that. What name is on the card, and what are the final four digits?",
            "Right away. Please give me the cardholder name and the last four numbers of the card.",
        ),
        "give_identity": (
            "The name's {customer_full}. It ends with {card_last_four}.",
            "This is {customer_full}, and the last four digits are {card_last_four}.",
        ),
        "ask_dob": (
            "Thanks, {customer_first}. For security, what's your birth date?",
            "Okay. Could you verify your date of birth?",
        ),
        "give_dob": (
            "Sure, {dob}.",
            "My birthday is {dob}.",
        ),
        "hold": (
            "All verified. Stay with me while I check for pending authorizations.",
            "Okay, you're through security. One second while I look at the authorization holds.",
        ),
        "ask_phone": (
            "Which phone number should our fraud alerts go to?",
            "Is there a number where we can call you back today?",
        ),
        "give_phone": (
            "Call me on {phone}.",
            "My cell is {phone}.",
        ),
        "ask_charge": (
            "Tell me about the payment that looks wrong.",
            "Which charge are we looking at?",
        ),
        "describe_charge": (
            "On {charge_date} somebody spent {charge} at {merchant}.",
            "I see {charge} from {merchant} on {charge_date}, and I was at home all day.",
        ),
        "freeze": (
            "I'm going to lock the {card} immediately so nothing else can be authorized. Are you okay with that?",
            "To stop further charges, I'm suspending the {card} now. Is anyone else authorized on it?",
        ),
        "freeze_reply": (
            "Go ahead and lock it.",
            "No, it's only me. Please suspend it.",
        ),
        "resolve": (
            "I've raised a dispute for {charge} with {merchant}. You'll see a temporary credit shortly, and the old {card} is closed for good.",
            "The {charge} at {merchant} is now under investigation, and a temporary credit has been applied. I've also ordered a fresh {card}.",
        ),
        "ask_offer": (
            "Actually, what would it cost to move to the {offer_card}?",
            "Could I upgrade to the {offer_card} at the same time?",
        ),
        "answer_offer": (
            "The {offer_card} comes with a {annual_fee} yearly fee and extra cashback.",
            "It's {annual_fee} per year for the {offer_card}, and the upgrade takes a few days.",
        ),
        "ask_address": (
            "The new card should arrive by {ship_date}. Which address do we have on file?",
            "I can get a card out to you by {ship_date}. Where do you live?",
        ),
        "give_address": (
            "I live at {address}.",
            "The address is {address}.",
        ),
        "ask_email": (
            "Shall I send the case number to your email?",
            "Where can I email the dispute paperwork?",
        ),
        "give_email": (
            "Send it to {email}.",
            "My email address is {email}.",
        ),
        "thanks": (
            "Great, I really appreciate it.",
            "Alright, thank you very much.",
        ),
        "closing": (
            "Anytime, {customer_first}. Stay safe, and goodbye from all of us at {bank}.",
            "It was my pleasure, {customer_first}. Take care now.",
        ),
    },
}

ISSUES: dict[str, tuple[str, ...]] = {  # verb phrases that follow "my {card}"
    "train": (
        "has a charge on it that I never made",
        "was declined twice at the grocery store",
        "went missing after my train ride",
        "shows a payment to a shop I've never heard of",
    ),
    "holdout": (
        "got swallowed by a cash machine",
        "was stolen from my bag at the gym",
        "has three payments I don't recognize",
    ),
}
