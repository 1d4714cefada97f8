"""The default domain: a telecom company's contact center (router faults, plans, credits).

Vocabulary: catalogue.py (the company Veltora, its devices, plans and add-ons); wording: templates.py;
voices: voices.VOICE_POOLS (American English); channel: the 8 kHz G.711 telephone line (channel.NARROWBAND).
"""

from __future__ import annotations

from adapt_server.sampledata import catalogue
from adapt_server.sampledata.channel import NARROWBAND
from adapt_server.sampledata.dialogue import AGENT, CUSTOMER, Block, Dialogue, Step
from adapt_server.sampledata.domain import Domain
from adapt_server.sampledata.entities import EntityType
from adapt_server.sampledata.facts import SLOT_NAMES, draw_call_facts
from adapt_server.sampledata.templates import ISSUES, TEMPLATES
from adapt_server.sampledata.voices import VOICE_POOLS

FLOW = (
    Block(
        (
            Step("greeting", AGENT),
            Step("reason", CUSTOMER),
            Step("ask_identity", AGENT),
            Step("give_identity", CUSTOMER),
            Step("ask_dob", AGENT),
            Step("give_dob", CUSTOMER),
        ),
        optional=False,
    ),
    Block((Step("hold", AGENT),), optional=True),
    Block((Step("ask_phone", AGENT), Step("give_phone", CUSTOMER)), optional=True),
    Block((Step("probe", AGENT), Step("give_date", CUSTOMER)), optional=True),
    Block((Step("troubleshoot", AGENT), Step("troubleshoot_result", CUSTOMER)), optional=True),
    Block((Step("resolve", AGENT),), optional=False),
    Block((Step("ask_addon", CUSTOMER), Step("answer_addon", AGENT)), optional=True),
    Block((Step("ask_address", AGENT), Step("give_address", CUSTOMER)), optional=True),
    Block((Step("ask_email", AGENT), Step("give_email", CUSTOMER)), optional=True),
    Block((Step("thanks", CUSTOMER), Step("closing", AGENT)), optional=False),
)

DIALOGUE = Dialogue(FLOW, TEMPLATES, ISSUES)  # template ids without a domain prefix: "train.greeting.0"

DOMAIN = Domain(
    name="telecom",
    description="a telecom company's contact center: faults of routers and modems, plans, credits, add-ons",
    catalogue={"company": (catalogue.COMPANY,), "devices": catalogue.DEVICES, "plans": catalogue.PLANS,
               "add_ons": catalogue.ADD_ONS},
    slot_names=SLOT_NAMES,
    draw_facts=draw_call_facts,
    dialogue=DIALOGUE,
    entity_types=frozenset({
        EntityType.ORGANIZATION, EntityType.PERSON, EntityType.ACCOUNT_NUMBER, EntityType.PHONE_NUMBER,
        EntityType.DATE_OF_BIRTH, EntityType.DATE, EntityType.EMAIL_ADDRESS, EntityType.ADDRESS,
        EntityType.MONEY, EntityType.PRODUCT,
    }),
    channel=NARROWBAND,
    voices=VOICE_POOLS,
)
