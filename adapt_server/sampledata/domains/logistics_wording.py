"""The wording of the logistics calls: sentence templates per dialogue step, one disjoint bank per split.

Slots: logistics.SLOT_NAMES, plus `{issue}` (what went wrong with the parcel, from ISSUES). The banks share
no sentence and no issue. Numbers are written as words: the transcript holds what is spoken.
"""

from __future__ import annotations

TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "train": {
        "greeting": (
            "Thanks for calling {carrier}, you're speaking with {agent_first}. How can I help?",
            "Hello, {carrier} customer service, {agent_first} here. What can I do for you?",
            "Hi, this is {agent_first} at {carrier}. Are you calling about a delivery?",
        ),
        "reason": (
            "Hi {agent_first}. My parcel from {retailer} {issue}.",
            "Hello. I ordered something from {retailer} and it {issue}.",
            "Hi, yeah. The parcel {retailer} sent me {issue}.",
        ),
        "ask_identity": (
            "Sorry about that. Can I take your name and the tracking number, please?",
            "Let me look into it. What's your full name and the tracking number on the email?",
        ),
        "give_identity": (
            "It's {customer_full}, and the tracking number is {tracking_number}.",
            "My name's {customer_full}. Tracking number {tracking_number}.",
        ),
        "ask_address": (
            "Thanks, {customer_first}. Can you confirm the delivery address?",
            "Got it. And what's the address the parcel is going to?",
        ),
        "give_address": (
            "It's {address}.",
            "It should be coming to {address}.",
        ),
        "hold": (
            "Thank you, that matches. Bear with me while I check the scans.",
            "Lovely, I've found it. Give me a second to see where the van is.",
        ),
        "ask_phone": (
            "What's the best number for the driver to ring you on?",
            "Can I take a mobile number for delivery updates?",
        ),
        "give_phone": (
            "Sure, it's {phone}.",
            "The driver can call {phone}.",
        ),
        "scan_history": (
            "The last scan was at the {depot} on {scan_date}, and it hasn't moved since.",
            "I can see it arrived at the {depot} on {scan_date}, then it was marked as missorted.",
        ),
        "scan_reply": (
            "That's ages ago. Why has it been sitting there?",
            "So it's been stuck all that time? That's not great.",
        ),
        "ask_safe_place": (
            "If you're out, is there a safe place the driver can leave it?",
            "Would you like to give us a safe place for next time?",
        ),
        "give_safe_place": (
            "Yes, just leave it {safe_place}.",
            "Please put it {safe_place}.",
        ),
        "resolve": (
            "I've booked a redelivery for {delivery_date} and refunded {refund} of your postage.",
            "The parcel will go back out on {delivery_date}, and I've added a credit of {refund} for the delay.",
            "I've escalated it to the {depot}. It's booked for {delivery_date}, with {refund} off your next delivery.",
        ),
        "ask_upgrade": (
            "Can I pay to have it sent with {service} instead?",
            "Is there a faster option, like {service}?",
        ),
        "answer_upgrade": (
            "Yes, {service} is {service_fee} and it arrives before noon.",
            "You can switch to {service} for {service_fee}.",
        ),
        "offer_collection": (
            "If you'd rather, you can collect it from the {depot} after {collect_date}.",
            "It'll also be ready to pick up at the {depot} from {collect_date}.",
        ),
        "collection_reply": (
            "No, I'd rather have it delivered.",
            "Actually, collecting might be easier for me.",
        ),
        "ask_email": (
            "Shall I email you the new delivery slot? What's your email?",
            "What email should the tracking updates go to?",
        ),
        "give_email": (
            "It's {email}.",
            "Use {email}, please.",
        ),
        "thanks": (
            "Great, thanks for sorting that.",
            "Cheers, that's really helpful.",
        ),
        "closing": (
            "No problem, {customer_first}. Thanks for choosing {carrier}.",
            "You're welcome, {customer_first}. Have a good day.",
        ),
    },
    "holdout": {
        "greeting": (
            "{carrier} deliveries, my name's {agent_first}. What's the problem with your parcel?",
            "Good afternoon, {carrier}, {agent_first} speaking. How can I help you today?",
        ),
        "reason": (
            "Hello {agent_first}. I've got an order from {retailer} that {issue}.",
            "Hiya. The delivery from {retailer} {issue}, and I need it for the weekend.",
        ),
        "ask_identity": (
            "Right, let me track it down. Who am I speaking to, and what's the tracking reference?",
            "I'll get that checked. Could I have your name and the twelve digit tracking number?",
        ),
        "give_identity": (
            "This is {customer_full}. The tracking reference is {tracking_number}.",
            "{customer_full}, and the number on my receipt is {tracking_number}.",
        ),
        "ask_address": (
            "Cheers, {customer_first}. Which address was it meant to be delivered to?",
            "Okay. For security, can you read me the delivery address?",
        ),
        "give_address": (
            "The address is {address}.",
            "I'm at {address}.",
        ),
        "hold": (
            "That's all correct. Just hold on while I bring up the tracking history.",
            "Okay, you're verified. Let me check what the depot has logged.",
        ),
        "ask_phone": (
            "Is there a number the courier can text on the day?",
            "Could I grab a contact number for the delivery?",
        ),
        "give_phone": (
            "Text {phone}.",
            "My mobile is {phone}.",
        ),
        "scan_history": (
            "It was last scanned at the {depot} on {scan_date} and then put on the wrong trailer.",
            "Our system shows it left the {depot} on {scan_date}, but the driver never loaded it.",
        ),
        "scan_reply": (
            "Honestly, that's really frustrating.",
            "Right, so it's been lost somewhere?",
        ),
        "ask_safe_place": (
            "Where can the courier leave it if nobody answers?",
            "Is there somewhere safe to leave it if you're not in?",
        ),
        "give_safe_place": (
            "Leave it {safe_place}, that's fine.",
            "Just pop it {safe_place}.",
        ),
        "resolve": (
            "Your parcel is rebooked for {delivery_date}, and I've refunded {refund} to your card for the trouble.",
            "I've raised a priority trace. It's scheduled for {delivery_date}, and {refund} is coming back to you.",
        ),
        "ask_upgrade": (
            "Would {service} get it to me any quicker?",
            "How much extra for {service}?",
        ),
        "answer_upgrade": (
            "{service} would cost {service_fee}, with a two hour window.",
            "It's {service_fee} to upgrade to {service}, and you'll get a text when it's out.",
        ),
        "offer_collection": (
            "Another option is picking it up yourself at the {depot} from {collect_date}.",
            "The {depot} can hold it for you to collect from {collect_date}.",
        ),
        "collection_reply": (
            "I don't drive, so delivery is better.",
            "Oh, that might work, it's near my office.",
        ),
        "ask_email": (
            "Could I send a confirmation to your email?",
            "Which email address should I put on the booking?",
        ),
        "give_email": (
            "Send it to {email}.",
            "My email's {email}.",
        ),
        "thanks": (
            "Lovely, thank you very much.",
            "Okay, I appreciate your help.",
        ),
        "closing": (
            "My pleasure, {customer_first}. Sorry again for the wait.",
            "All sorted, {customer_first}. Thanks for calling {carrier}, bye now.",
        ),
    },
}

ISSUES: dict[str, tuple[str, ...]] = {  # verb phrases that follow "my parcel from {retailer}" and "it"
    "train": (
        "still hasn't turned up after a week",
        "says delivered but there's nothing here",
        "arrived with the box completely crushed",
    ),
    "holdout": (
        "has been stuck in transit since last Monday",
        "went to the wrong house on my street",
        "was sent back to the warehouse by mistake",
    ),
}
