"""The domains the generator knows, by name (see domain.Domain).

| domain      | calls                                              | channel         | voices (espeak-ng)           |
|-------------|----------------------------------------------------|-----------------|------------------------------|
| `telecom`   | a telecom contact center: router faults, plans     | `narrowband`    | American English             |

telecom is the default: its calls and files are those the generator has always made.
"""

from __future__ import annotations

from types import MappingProxyType

from adapt_server.sampledata.domain import Domain
from adapt_server.sampledata.domains import telecom

DEFAULT_DOMAIN = telecom.DOMAIN.name  # "telecom"
DOMAINS = MappingProxyType({domain.name: domain for domain in (telecom.DOMAIN,)})
DOMAIN_NAMES = tuple(DOMAINS)  # ("telecom",)


def get_domain(name: str) -> Domain:
    """The domain called `name`; ValueError listing the known names otherwise."""
    try:
        return DOMAINS[name]
    except KeyError:
        raise ValueError(f"unknown domain {name!r}; use one of {', '.join(DOMAIN_NAMES)}") from None
