"""Synthetic two-speaker contact-center calls (espeak-ng voices, or with voices="neural"/"mixed" the stock
Kokoro-82M and Piper voices; a channel condition, PII in the script).

The embedded demo data of the quickstart and the main test fixture:
    from adapt_server.sampledata import generate_calls
    calls = generate_calls("demo", n_calls=6, seed=0, split="train")
    clinic = generate_calls("demo", n_calls=6, seed=0, split="holdout", domain="clinic")
Domains (DOMAIN_NAMES): telecom (default: 8 kHz mu-law telephone line), clinic (16 kHz headset in a
reverberant, busy room), bank (8 kHz mobile with dropouts), logistics (16 kHz softphone with packet loss);
see domains/__init__.py.
"""

from adapt_server.sampledata.domains import DEFAULT_DOMAIN, DOMAIN_NAMES
from adapt_server.sampledata.generate import CallInfo, generate_calls

__all__ = ["DEFAULT_DOMAIN", "DOMAIN_NAMES", "CallInfo", "generate_calls"]
