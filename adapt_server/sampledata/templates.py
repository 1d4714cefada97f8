"""The wording of the telecom calls: sentence templates per dialogue step, one disjoint bank per split.

A template is a turn with `{slot}` placeholders (see facts.SLOT_NAMES, plus `{issue}`, filled from the
split's ISSUES). The "train" and "holdout" banks share no sentence, so a model tuned on train calls meets
new sentences in the held-out calls, about the same products and the same kinds of details.
Write numbers as words here too: the transcript must hold what is spoken.
"""

from __future__ import annotations

TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "train": {
        "greeting": (
            "Thank you for calling {company}, my name is {agent_first}. How can I help you today?",
            "Good morning, you've reached {company} customer care. This is {agent_first}, what can I do for you?",
            "Hello, thanks for calling {company} support. You're speaking with {agent_first}. How may I assist you?",
            "Hi, this is {agent_first} at {company}. What can I help you with this afternoon?",
        ),
        "reason": (
            "Hi {agent_first}. I'm calling because my {device} {issue}.",
            "Hello. Yeah, I have a problem with my {device}. It {issue}.",
            "Hi, so my {device} {issue} and I'm getting pretty frustrated.",
            "Hi. The {device} you sent me {issue}, and I need it fixed.",
        ),
        "ask_identity": (
            "I'm sorry to hear that. Can I have your full name and account number, please?",
            "I can definitely help with that. First, may I have the name and account number on the account?",
            "Let's get that sorted out. Could you give me your full name and the account number?",
            "Sorry about the trouble. To pull up your account, what's your name and account number?",
        ),
        "give_identity": (
            "Sure, it's {customer_full}, and the account number is {account_number}.",
            "My name is {customer_full}. The account number is {account_number}.",
            "Yes, {customer_full}, account number {account_number}.",
            "Okay, this is {customer_full} and my account is {account_number}.",
        ),
        "ask_dob": (
            "Thank you, {customer_first}. For verification, can you confirm your date of birth?",
            "Thanks. And what is the date of birth on the account?",
            "Great, I found it. Can you please verify your date of birth for me?",
            "Perfect. I just need your date of birth to confirm your identity.",
        ),
        "give_dob": (
            "It's {dob}.",
            "Sure, my birthday is {dob}.",
            "I was born on {dob}.",
            "{dob}.",
        ),
        "hold": (
            "Thank you, you're verified. Give me one moment while I pull up your equipment.",
            "Okay, that matches. Please hold for a second while I check the line.",
            "Thanks, everything checks out. Let me open your service history.",
        ),
        "ask_phone": (
            "In case we get disconnected, what's the best number to call you back?",
            "Can I also get a good phone number for you?",
            "What phone number should we use to reach you?",
        ),
        "give_phone": (
            "You can call me at {phone}.",
            "Sure, it's {phone}.",
            "My cell is {phone}.",
        ),
        "probe": (
            "I see the {device} on your account. When did the problem start?",
            "Okay, I'm looking at your {device} now. Do you remember when this began?",
            "Thanks. When did you first notice the issue with the {device}?",
            "I can see your {device} here. Since what date has this been happening?",
        ),
        "give_date": (
            "It started around {incident_date}, right after the update.",
            "I think it was {incident_date}.",
            "Since {incident_date}, more or less.",
            "It began on {incident_date}, and it's been getting worse.",
        ),
        "troubleshoot": (
            "Could you unplug the {device}, wait ten seconds, and plug it back in for me?",
            "Let's try a quick restart. Please hold the reset button on the {device} for five seconds.",
            "I'm sending a refresh signal to the {device}. Can you tell me what the lights are doing?",
        ),
        "troubleshoot_result": (
            "Okay, I did that. The light is solid white now.",
            "Alright, it's rebooting. Nope, still the same orange light.",
            "Done. It looks like it's working a little better.",
        ),
        "resolve": (
            "I've reset the {device} from our side and added a credit of {amount} to your {plan}.",
            "It looks like the {device} needs a firmware fix. I've scheduled it and applied {amount} back to your {plan}.",
            "I'm going to replace the {device} for you at no cost, and I've credited {amount} to your {plan} for the trouble.",
            "The fault was on our network. It's fixed now, and you'll see a credit of {amount} on your {plan}.",
        ),
        "ask_addon": (
            "While I have you, is {addon} included in my {plan}?",
            "Also, can you tell me what {addon} would cost me?",
            "One more thing. Should I upgrade to {addon}?",
        ),
        "answer_addon": (
            "It isn't included, but I can add {addon} for {addon_price} a month.",
            "Many customers on the {plan} add {addon}. It runs {addon_price} monthly.",
            "{addon} is an extra on the {plan}, at {addon_price} a month.",
        ),
        "ask_address": (
            "A technician will visit on {ship_date}. Can you confirm the service address?",
            "The new {device} will ship on {ship_date}. Where should we send it?",
            "I'd like to mail you a replacement by {ship_date}. What's your current address?",
        ),
        "give_address": (
            "It's {address}.",
            "Please send it to {address}.",
            "Sure, {address}.",
        ),
        "ask_email": (
            "I'll email you a summary of today's call. What email address should I use?",
            "Would you like the confirmation sent by email? Which address?",
            "Let me update your contact details. What's your email?",
        ),
        "give_email": (
            "It's {email}.",
            "Use {email}, please.",
            "Yes, {email}.",
        ),
        "thanks": (
            "Great, thank you so much for your help.",
            "That's perfect, I really appreciate it.",
            "Okay, that sounds good. Thanks a lot.",
            "Wonderful, you've been very helpful.",
        ),
        "closing": (
            "You're welcome, {customer_first}. Thank you for choosing {company}, and have a great day.",
            "My pleasure, {customer_first}. Thanks for being a {company} customer, goodbye.",
            "Happy to help, {customer_first}. Enjoy the rest of your day, and thank you for calling {company}.",
            "Anytime. Thanks for calling {company}, {customer_first}. Bye now.",
        ),
    },
    "holdout": {
        "greeting": (
            "Good evening and welcome to {company}. My name's {agent_first}, how can I make your day easier?",
            "{company} technical support, {agent_first} speaking. What seems to be the trouble?",
            "Hello and thank you for holding. I'm {agent_first} with {company}, what brings you in today?",
        ),
        "reason": (
            "Hey {agent_first}, thanks. Ever since last week my {device} {issue}.",
            "Hi there. I need some help, my {device} {issue} again.",
            "Hello, I'm having trouble at home. Our {device} {issue}.",
        ),
        "ask_identity": (
            "That sounds frustrating, let me take a look. Who am I speaking with, and what is the account number?",
            "Okay, I'll look into it for you. Please tell me your first and last name along with your account number.",
            "Thanks for explaining. Before we start, I need your name and your account number.",
        ),
        "give_identity": (
            "I'm {customer_full}, and the number on my bill is {account_number}.",
            "Of course. It's under {customer_full}, number {account_number}.",
            "Name's {customer_full}. Let me read the account number, it's {account_number}.",
        ),
        "ask_dob": (
            "Got it, {customer_first}. For security, please tell me your birth date.",
            "Alright, I see the account. What's your date of birth, just to be safe?",
            "Thank you so much. One more check, when were you born?",
        ),
        "give_dob": (
            "That'd be {dob}.",
            "My date of birth is {dob}.",
            "Yes, it's {dob}, I believe that's what you have.",
        ),
        "hold": (
            "All verified, thank you for your patience. I'm loading your details now.",
            "That's a match. Bear with me while the system catches up.",
        ),
        "ask_phone": (
            "If the line drops, which number should I call you on?",
            "Could you also share a contact number with me?",
        ),
        "give_phone": (
            "Use {phone}, that's my mobile.",
            "The best one is {phone}.",
        ),
        "probe": (
            "Your {device} is showing up on my end. Roughly when did this start?",
            "Alright, I've got the {device} in front of me. What day did you first see the problem?",
            "I see it. How long has the {device} been acting up?",
        ),
        "give_date": (
            "Pretty sure it was {incident_date}, that's when the storm came through.",
            "I first noticed it on {incident_date}.",
            "Ever since {incident_date}, maybe a day later.",
        ),
        "troubleshoot": (
            "Would you mind switching the {device} off at the wall and back on again?",
            "I've just pushed an update to the {device}. Is the front light green now?",
        ),
        "troubleshoot_result": (
            "Hang on. Okay, it came back up but it's still flickering.",
            "Yes, it just turned green. That's new.",
        ),
        "resolve": (
            "Here's what I did. I refreshed the {device} remotely and took {amount} off your next {plan} bill.",
            "We'll swap out the {device} entirely. I've also put {amount} toward your {plan} as an apology.",
            "Good news, an engineer cleared the fault on the line. Your {plan} will show {amount} in credit.",
        ),
        "ask_addon": (
            "Oh, and does my {plan} come with {addon}?",
            "Quick question before you go, how much extra is {addon}?",
        ),
        "answer_addon": (
            "Not by default. {addon} would be {addon_price} each month.",
            "You'd pay {addon_price} per month for {addon}, and you can cancel anytime.",
        ),
        "ask_address": (
            "We can get someone out to you on {ship_date}. Which address is the service at?",
            "Your replacement leaves our warehouse on {ship_date}. What address should it go to?",
        ),
        "give_address": (
            "That would be {address}.",
            "We're at {address}.",
        ),
        "ask_email": (
            "I can send the case notes over. Where should I email them?",
            "One last detail, what's the best email for you?",
        ),
        "give_email": (
            "Send it to {email}.",
            "My email is {email}.",
        ),
        "thanks": (
            "Brilliant, that solves it. Thanks again.",
            "Excellent, I'm relieved. Thank you.",
            "Sounds good to me, cheers for sorting it out.",
        ),
        "closing": (
            "Glad I could help, {customer_first}. Have a lovely evening from all of us at {company}.",
            "No problem at all, {customer_first}. {company} appreciates your patience, take care.",
            "It was a pleasure, {customer_first}. Goodbye, and stay safe.",
        ),
    },
}

ISSUES: dict[str, tuple[str, ...]] = {  # verb phrases that follow "my {device}" and "It"
    "train": (
        "keeps dropping the connection every evening",
        "shows a blinking orange light",
        "restarts itself every few hours",
        "is really slow in the afternoon",
    ),
    "holdout": (
        "stopped connecting to my laptop",
        "makes a clicking noise and then goes dark",
        "loses signal whenever it rains",
    ),
}
