"""Admission control (speech/admission.py) and cancellation tokens (speech/cancel.py), as values."""
from __future__ import annotations

import time

import pytest

from adapt_server.errors import Cancelled, DeadlineExceeded, ResourceExhausted, Unavailable
from adapt_server.speech.admission import Admission, AdmissionLimits
from adapt_server.speech.cancel import CancelToken


def test_the_server_wide_and_per_caller_limits_refuse_the_excess_with_a_retry_hint():
    changes = []
    admission = Admission(AdmissionLimits(max_streams=3, max_streams_per_caller=2, retry_after_s=1.5),
                          on_saturation=changes.append)
    a1, a2 = admission.admit("a"), admission.admit("a")
    with pytest.raises(ResourceExhausted, match="--max-streams-per-caller 2") as per_caller:
        admission.admit("a")
    assert per_caller.value.retry_after_s == 1.5
    b1 = admission.admit("b")
    assert admission.saturated and changes == [True]
    with pytest.raises(ResourceExhausted, match="at its limit \\(3 streams"):
        admission.admit("c")
    b1.release()
    b1.release()  # idempotent
    assert not admission.saturated and changes == [True, False] and admission.held == 2
    with admission.admit("c"):
        assert admission.held_by("c") == 1
    assert admission.held_by("c") == 0
    a1.release()
    a2.release()
    assert admission.held == 0


def test_limits_must_be_positive():
    with pytest.raises(ValueError):
        AdmissionLimits(0, 1)


def test_a_token_fires_on_cancel_deadline_or_its_parent_with_the_matching_error():
    token = CancelToken()
    assert not token() and token.reason is None
    token.cancel()
    assert token() and isinstance(token.error(), Cancelled)
    expiring = CancelToken(deadline_s=0.05)
    assert not expiring()
    time.sleep(0.1)
    assert expiring() and isinstance(expiring.error(), DeadlineExceeded)
    server = CancelToken()
    child = CancelToken(parent=server)
    server.cancel("shutdown")
    assert child() and isinstance(child.error(), Unavailable)
