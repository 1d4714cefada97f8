"""The domains the generator knows, by name (see domain.Domain).

| domain      | calls                                              | channel         | voices (espeak-ng)           |
|-------------|----------------------------------------------------|-----------------|------------------------------|
| `telecom`   | a telecom contact center: router faults, plans     | `narrowband`    | American English             |
| `clinic`    | a medical practice: appointments, prescriptions    | `wideband_room` | British RP, Scottish         |
| `bank`      | card services and fraud: unknown charges, disputes | `mobile`        | New York, Caribbean          |
| `logistics` | a parcel carrier: tracking numbers, redeliveries   | `voip_wideband` | Lancashire, West Midlands    |

telecom is the default: its calls and files are those the generator has always made.
"""

from __future__ import annotations

from types import MappingProxyType

from adapt_server.sampledata.domain import Domain
from adapt_server.sampledata.domains import bank, clinic, logistics, telecom

DEFAULT_DOMAIN = telecom.DOMAIN.name  # "telecom"
DOMAINS = MappingProxyType({domain.name: domain for domain in (telecom.DOMAIN, clinic.DOMAIN, bank.DOMAIN,
                                                               logistics.DOMAIN)})
DOMAIN_NAMES = tuple(DOMAINS)  # ("telecom", "clinic", "bank", "logistics")


def get_domain(name: str) -> Domain:
    """The domain called `name`; ValueError listing the known names otherwise."""
    try:
        return DOMAINS[name]
    except KeyError:
        raise ValueError(f"unknown domain {name!r}; use one of {', '.join(DOMAIN_NAMES)}") from None
