"""Synthetic two-speaker contact-center calls (espeak-ng voices, telephone band, PII in the script).

The embedded demo data of the quickstart and the main test fixture:
    from adapt_server.sampledata import generate_calls
    calls = generate_calls("demo", n_calls=6, seed=0, split="train")
"""

from adapt_server.sampledata.generate import CallInfo, generate_calls

__all__ = ["CallInfo", "generate_calls"]
