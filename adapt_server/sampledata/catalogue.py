"""The fictional world the telecom calls take place in, shared by every split.

A telecom company with invented product names (the words a generic ASR model has never seen), and the
pools personal details are drawn from. Both splits draw from these same pools, so the held-out split
differs from training in wording and voices, not in domain.
"""

from __future__ import annotations

COMPANY = "Veltora"

DEVICES = (
    "Zentrix router",
    "Zentrix Max router",
    "Quillon modem",
    "Nimbra mesh extender",
    "Vexabox streaming box",
    "Korvo smart hub",
)

PLANS = (
    "FlexiPay plan",
    "StreamPlus bundle",
    "Orbita Unlimited plan",
    "TalkMore Lite plan",
    "Fibreon Gigabit plan",
)

ADD_ONS = (
    "ShieldGuard protection",
    "Lumora voicemail",
    "Kyvo parental controls",
    "Nimbra whole home coverage",
)

FIRST_NAMES = (
    "Maria", "James", "Priya", "Daniel", "Aisha", "Robert", "Elena", "Michael", "Grace", "Thomas",
    "Sofia", "Kevin", "Hannah", "Carlos", "Laura", "Samuel", "Nadia", "Peter", "Olivia", "Marcus",
    "Rachel", "David", "Fatima", "Brian", "Emily", "Victor", "Julia", "Andrew", "Monica", "Oscar",
)

LAST_NAMES = (
    "Lopez", "Carter", "Patel", "Nguyen", "Okafor", "Schmidt", "Murphy", "Rossi", "Kowalski", "Bennett",
    "Hughes", "Garcia", "Turner", "Jensen", "Morales", "Fischer", "Walsh", "Sullivan", "Brooks", "Reyes",
    "Coleman", "Foster", "Hayes", "Novak", "Price", "Warren", "Delgado", "Harper", "Lindqvist", "Mensah",
)

AGENT_FIRST_NAMES = (
    "Dana", "Alex", "Jordan", "Taylor", "Morgan", "Casey", "Jamie", "Riley", "Sam", "Chris",
)

STREETS = (
    "Maple", "Oak", "Cedar", "Willow", "Lakeview", "Hillcrest", "Juniper", "Sycamore", "Harbor", "Meadow",
    "Birch", "Chestnut", "Ridgeway", "Orchard", "Riverside",
)

STREET_KINDS = ("Street", "Avenue", "Road", "Lane", "Drive", "Court")

TOWNS = (
    "Riverton", "Brookfield", "Fairview", "Millbrook", "Ashford", "Clearwater", "Glendale", "Kingsport",
    "Oakridge", "Westhaven", "Summerville", "Lakewood",
)

EMAIL_DOMAINS = (  # (spoken, written)
    ("quickmail dot com", "quickmail.com"),
    ("postbox dot net", "postbox.net"),
    ("mailnest dot com", "mailnest.com"),
    ("inboxly dot com", "inboxly.com"),
    ("veltora dot net", "veltora.net"),
)
